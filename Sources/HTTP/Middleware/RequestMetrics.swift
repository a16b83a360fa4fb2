import Core

/// Counts requests by route template and status, times them, and tracks requests in flight.
public struct RequestMetrics: Middleware {
    private let requests: Counter
    private let duration: Histogram
    private let inFlight: Gauge

    /// Registers the request counter, duration histogram and in-flight gauge in `registry`.
    public init(registry: MetricsRegistry) {
        requests = registry.counter(
            "syncline_http_requests_total", help: "HTTP requests by method, route template and status.",
            labels: ["method", "route", "status"])
        duration = registry.histogram(
            "syncline_http_request_duration_seconds", help: "Time to produce a response, by route template.",
            labels: ["route"], buckets: Histogram.latencyBuckets)
        inFlight = registry.gauge("syncline_http_requests_in_flight", help: "Requests being handled now.")
    }

    /// Passes the request on and records it, including requests whose handler throws.
    public func respond(to request: Request, next: Responder) throws -> Response {
        let started = ContinuousClock.now
        inFlight.add(1)
        defer { inFlight.add(-1) }
        let route = request.route?.template ?? "unmatched"
        do {
            let response = try next(request)
            record(request, route: route, status: response.status, since: started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? 500
            record(request, route: route, status: status, since: started)
            throw error
        }
    }

    private func record(_ request: Request, route: String, status: Int, since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        requests.increment([request.method.rawValue, route, String(status)])
        duration.observe(seconds, [route])
    }
}
