import Identity

extension Role {
    /// The role's name and what it may do, as forms and the account page show it.
    var summary: String {
        switch self {
        case .admin: "Admin: manages sources, users and dashboards, reads the audit log"
        case .viewer: "Viewer: reads dashboards and data tables"
        }
    }
}
