import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One open file descriptor of a regular file, read by offset and closed in `deinit`.
///
/// Not `Sendable`: it belongs to the one reader that opened it.
final class ReadOnlyFile {
    private let descriptor: Int32
    /// The name used in error messages: the path as the source definition gives it.
    let name: String
    /// The file's size in bytes when it was opened.
    let size: Int

    /// Opens `path` for reading; refuses anything but a regular file.
    ///
    /// `O_NONBLOCK` keeps a FIFO planted under the import directory from blocking the open until a
    /// writer appears; it has no effect on regular files, the only kind kept open.
    init(path: String, name: String) throws(SyncError) {
        let descriptor = Self.retryingInterrupts { open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) }
        guard descriptor >= 0 else { throw Self.error(errno, .configuration, "Cannot open \(name)") }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let error = Self.error(errno, .configuration, "Cannot inspect \(name)")
            close(descriptor)
            throw error
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw SyncError(.configuration, "\(name) is not a regular file.")
        }
        self.descriptor = descriptor
        self.name = name
        self.size = Int(status.st_size)
    }

    deinit {
        close(descriptor)
    }

    /// Reads up to `buffer.count` bytes from byte `offset` on; returns their count, 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(SyncError) -> Int {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return 0 }
        let count = Self.retryingInterrupts { pread(descriptor, base, buffer.count, off_t(offset)) }
        guard count >= 0 else { throw Self.error(errno, .connection, "Cannot read \(name)") }
        return count
    }

    /// Runs a system call again for as long as it fails with `EINTR`.
    private static func retryingInterrupts<T: BinaryInteger>(_ call: () -> T) -> T {
        while true {
            let result = call()
            if result >= 0 || errno != EINTR { return result }
        }
    }

    /// A sync error of `kind` whose message is `failure` followed by the system's reason.
    private static func error(_ code: Int32, _ kind: SyncError.Kind, _ failure: String) -> SyncError {
        SyncError(kind, "\(failure): \(String(cString: strerror(code))).")
    }
}
