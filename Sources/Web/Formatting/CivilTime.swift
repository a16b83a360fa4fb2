import Foundation

/// A moment split into its UTC calendar fields, computed by arithmetic rather than a `Calendar`,
/// so the result depends on neither the host's time zone nor its locale.
///
/// The day conversions are Howard Hinnant's `days_from_civil` and `civil_from_days` for the
/// proleptic Gregorian calendar.
struct CivilTime {
    /// The year, such as 2026.
    let year: Int
    /// The month, 1 for January to 12.
    let month: Int
    /// The day of the month, from 1.
    let day: Int
    /// The hour, 0–23.
    let hour: Int
    /// The minute, 0–59.
    let minute: Int

    /// English month abbreviations, which every label uses whatever the host's language.
    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The moments that have fields: the first second of year 1 to the last of year 9999.
    static let representable: ClosedRange<Double> = -62_135_596_800...253_402_300_799

    /// Splits `date`, rounded down to the whole second; a moment outside `representable` is taken as
    /// the nearest end of it, and one that is not finite as 1970.
    init(_ date: Date) {
        let seconds = Self.seconds(date)
        let days = Self.floorDivide(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        (year, month, day) = Self.civil(fromDays: days)
        hour = secondOfDay / 3600
        minute = secondOfDay % 3600 / 60
    }

    /// Whole seconds since 1970 of `date`, kept within `representable`; 0 when it is not finite.
    static func seconds(_ date: Date) -> Int {
        let interval = date.timeIntervalSince1970
        guard interval.isFinite else { return 0 }
        return Int(min(max(interval, representable.lowerBound), representable.upperBound).rounded(.down))
    }

    /// The month's abbreviated English name.
    var monthName: String { Self.monthNames[month - 1] }

    /// Days since 1970-01-01 of the given date.
    static func days(year: Int, month: Int, day: Int) -> Int {
        let year = month <= 2 ? year - 1 : year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` days after 1970-01-01.
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Integer division rounding towards negative infinity, for moments before 1970.
    static func floorDivide(_ value: Int, _ divisor: Int) -> Int {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }
}
