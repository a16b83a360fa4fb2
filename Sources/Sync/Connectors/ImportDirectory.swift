import Foundation

/// The one directory CSV and SQLite sources may read files from (`SYNCLINE_IMPORT_DIR`).
///
/// A path is accepted only when it is relative, has no `..` component, and still lies inside
/// the directory once every symbolic link along it is resolved.
public struct ImportDirectory: Sendable, Hashable {
    /// The directory's absolute path, symbolic links resolved.
    public let path: String

    /// Creates the import directory at `path`, made absolute against the working directory.
    public init(path: String) {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL
        self.path = absolute.resolvingSymlinksInPath().path
    }

    /// Whether `relative` is shaped like a path inside the directory: not absolute, no `..`.
    public static func isRelativeInside(_ relative: String) -> Bool {
        guard !relative.isEmpty, !relative.hasPrefix("/"), !relative.contains("\0") else { return false }
        return !relative.split(separator: "/").contains("..")
    }

    /// The absolute path of `relative`, after checking that it stays inside the directory.
    public func resolve(_ relative: String) throws(SyncError) -> String {
        guard Self.isRelativeInside(relative) else {
            throw SyncError(.configuration, "The path must be relative to the import directory, without '..'.")
        }
        let resolved = URL(fileURLWithPath: path).appendingPathComponent(relative).resolvingSymlinksInPath()
            .standardizedFileURL.path
        guard resolved.hasPrefix(path.hasSuffix("/") ? path : path + "/") else {
            throw SyncError(.configuration, "The path leads outside the import directory.")
        }
        return resolved
    }
}
