-- wrk script: every request signs in for a bearer token with the benchmark user's password.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"bench","password":"' .. os.getenv("BENCH_PASSWORD") .. '"}'
