-- wrk script: the seed's poll request (GetFaceLivenessSessionResults), for measuring the
-- mock's capacity: wrk -t2 -c64 -d10s -s scripts/wrk-seed-get.lua http://127.0.0.1:18090/
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
wrk.headers["X-Amz-Target"] = "RekognitionService.GetFaceLivenessSessionResults"
wrk.body = '{"SessionId": "0f0b5a5e-3c2d-4b7a-9d33-7e4f1c2a9b10"}'
