/// The mark shown in the header and as the favicon, served at `/static/logo.svg`.
enum Logo {
    static let svg = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">\
        <rect width="32" height="32" rx="7" fill="#0f62c9"/>\
        <path d="M7 20c4 0 5-8 9-8s5 8 9 8" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round"/>\
        <circle cx="7" cy="20" r="2.4" fill="#7fd1ae"/>\
        <circle cx="25" cy="20" r="2.4" fill="#7fd1ae"/></svg>
        """
}
