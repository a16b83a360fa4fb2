import Core
import Foundation

/// The records of the demo: orders for the bundled CSV and support tickets for the demo API,
/// generated the same way on every machine from a fixed seed.
enum DemoData {
    /// A small deterministic generator (SplitMix64), so the demo looks the same everywhere.
    struct Random {
        private var state: UInt64

        init(seed: UInt64) {
            state = seed
        }

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var value = state
            value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
            value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
            return value ^ (value >> 31)
        }

        /// A number in `0..<bound`.
        mutating func below(_ bound: Int) -> Int {
            Int(next() % UInt64(bound))
        }

        /// A number in `0..<1`.
        mutating func unit() -> Double {
            Double(next() >> 11) / Double(1 << 53)
        }

        /// One of `items`, likelier the higher its weight.
        mutating func pick<T>(_ items: [(T, Int)]) -> T {
            var roll = below(items.reduce(0) { $0 + $1.1 })
            for (item, weight) in items {
                if roll < weight { return item }
                roll -= weight
            }
            return items[items.count - 1].0
        }
    }

    static let regions: [(String, [String], Int)] = [
        ("North America", ["United States", "Canada", "Mexico"], 34),
        ("Europe", ["Germany", "France", "United Kingdom", "Spain", "Netherlands", "Sweden"], 30),
        ("Asia Pacific", ["Japan", "Australia", "Singapore", "India", "South Korea"], 22),
        ("Latin America", ["Brazil", "Argentina", "Chile", "Colombia"], 9),
        ("Middle East & Africa", ["United Arab Emirates", "South Africa", "Kenya"], 5),
    ]

    static let products: [(name: String, category: String, price: Double, weight: Int)] = [
        ("Starter plan", "Subscriptions", 29, 18), ("Team plan", "Subscriptions", 99, 16),
        ("Business plan", "Subscriptions", 349, 8), ("Enterprise plan", "Subscriptions", 1_490, 2),
        ("Onboarding workshop", "Services", 1_200, 3), ("Data migration", "Services", 2_400, 2),
        ("Priority support", "Services", 180, 6), ("Sensor kit", "Hardware", 249, 7),
        ("Gateway appliance", "Hardware", 899, 3), ("Extra storage 1 TB", "Add-ons", 19, 14),
        ("Audit archive", "Add-ons", 49, 9), ("API calls 1M", "Add-ons", 39, 12),
    ]

    static let companyStarts = [
        "Acme", "Northwind", "Blue Harbor", "Copperleaf", "Driftwood", "Evergreen", "Foxglove", "Granite", "Halcyon",
        "Ironbark", "Juniper", "Kestrel", "Lumen", "Meridian", "Nimbus", "Oakridge", "Pinecrest", "Quarry", "Riverbend",
        "Summit", "Tidewater", "Umber", "Vantage", "Willow", "Yellowfin", "Zephyr",
    ]
    static let companyEnds = [
        "Labs", "Logistics", "Foods", "Health", "Retail", "Systems", "Energy", "Studios", "Partners", "Analytics",
        "Bank", "Motors", "Media", "Outfitters", "Robotics",
    ]

    /// The customer with number `index`.
    static func customer(_ index: Int) -> String {
        let start = companyStarts[index % companyStarts.count]
        let end = companyEnds[(index / companyStarts.count) % companyEnds.count]
        return "\(start) \(end)"
    }

    /// The number of distinct customers.
    static let customerCount = companyStarts.count * companyEnds.count

    /// The bundled orders as CSV: `count` orders over the two years before `end`, with growth,
    /// a weekly rhythm and a December peak.
    static func ordersCSV(count: Int = 50_000, end: Date) -> String {
        var random = Random(seed: 20_260_101)
        let span = 730.0 * 86_400
        let start = end.addingTimeInterval(-span)
        var lines = [
            "order_id,ordered_at,region,country,customer,product,category,channel,quantity,unit_price,"
                + "discount,amount,status"
        ]
        lines.reserveCapacity(count + 1)
        var times: [Double] = []
        times.reserveCapacity(count)
        while times.count < count {
            // Later dates are likelier (growth); Decembers and weekdays more so.
            let offset = span * pow(random.unit(), 0.72)
            let date = start.addingTimeInterval(offset)
            let parts = Calendar.utc.dateComponents([.month, .weekday], from: date)
            let seasonal = parts.month == 12 ? 1.0 : parts.month == 11 ? 0.85 : 0.7
            let weekday = (parts.weekday == 1 || parts.weekday == 7) ? 0.55 : 1.0
            if random.unit() < seasonal * weekday { times.append(date.timeIntervalSince1970) }
        }
        times.sort()
        for (index, time) in times.enumerated() {
            let (region, countries, _) = random.pick(regions.map { ($0, $0.2) })
            let country = countries[random.below(countries.count)]
            let product = random.pick(products.map { ($0, $0.weight) })
            let quantity = product.category == "Subscriptions" ? 1 + random.below(3) : 1 + random.below(12)
            let discount = random.below(10) == 0 ? [0.05, 0.1, 0.15, 0.2][random.below(4)] : 0
            let amount = (Double(quantity) * product.price * (1 - discount) * 100).rounded() / 100
            let channel = random.pick([("Online", 62), ("Partner", 23), ("Retail", 15)])
            let status = random.pick([("completed", 92), ("refunded", 3), ("pending", 5)])
            let customerIndex = Int(pow(random.unit(), 1.6) * Double(customerCount))
            let fields = [
                String(100_000 + index), Timestamp.rfc3339(Date(timeIntervalSince1970: time)), region, country,
                customer(customerIndex), product.name, product.category, channel, String(quantity),
                String(format: "%.2f", product.price), String(format: "%.2f", discount), String(format: "%.2f", amount),
                status,
            ]
            lines.append(fields.map(csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func csvField(_ text: String) -> String {
        text.contains(",") || text.contains("\"")
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    /// The number of tickets the demo API knows.
    static let ticketCount = 1_800

    /// One support ticket of the demo API as it stands at `now`, or nil when it is not yet open.
    ///
    /// Tickets are spread over the 90 days before the end of the current UTC day, and each moves
    /// through its statuses in steps of a few ten-minute intervals, so incremental syncs find work.
    static func ticket(_ id: Int, now: Date) -> [String: Any]? {
        var random = Random(seed: UInt64(id) &* 7_919)
        let endOfDay = ((now.timeIntervalSince1970 / 86_400).rounded(.down) + 1) * 86_400
        let created = (endOfDay - random.unit() * 90 * 86_400).rounded(.down)
        guard created <= now.timeIntervalSince1970 else { return nil }
        let subjects = [
            "Cannot sign in", "Invoice question", "Sync is slow", "Feature request: export", "Dashboard shows no data",
            "Password reset", "API rate limit reached", "Upgrade plan", "Data looks duplicated", "Webhook failing",
        ]
        let priority = random.pick([("low", 30), ("normal", 50), ("high", 15), ("urgent", 5)])
        let channel = random.pick([("email", 50), ("chat", 35), ("phone", 15)])
        let customerIndex = random.below(customerCount)
        let agents = ["Ana", "Bruno", "Chen", "Dara", "Emeka", "Farah"]
        let statuses = ["open", "pending", "open", "solved", "closed"]
        let stepsPerStage = 3 + random.below(40)
        let stage = min(statuses.count - 1, Int((now.timeIntervalSince1970 - created) / 600) / stepsPerStage)
        let updated = created + Double(stage * stepsPerStage * 600)
        return [
            "id": id, "subject": subjects[random.below(subjects.count)], "customer": customer(customerIndex),
            "priority": priority, "channel": channel, "status": statuses[stage],
            "assignee": agents[random.below(agents.count)],
            "created_at": Timestamp.rfc3339(Date(timeIntervalSince1970: created)),
            "updated_at": Timestamp.rfc3339(Date(timeIntervalSince1970: updated)),
            "satisfaction": stage >= 3 ? 1 + random.below(5) : NSNull(),
            "first_response_minutes": 2 + random.below(priority == "urgent" ? 30 : 240),
        ]
    }
}

extension Calendar {
    /// The Gregorian calendar in UTC.
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
