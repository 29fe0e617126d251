#!/usr/bin/env python3
"""h248-probe.py PORT SECONDS: sends an AuditValue of ROOT to a Hopgate gateway's H.248 port (127.0.0.1) every
100 ms for SECONDS and prints how long each took to be answered: count, answered, p50, max (ms). A probe not
answered within 1 s counts as unanswered. Loopback only; bounded by SECONDS."""
import socket, sys, time
target = ("127.0.0.1", int(sys.argv[1]))
seconds = float(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); s.settimeout(1.0)
head = "MEGACO/1 [127.0.0.1]:%d\n" % s.getsockname()[1]
times, unanswered, tid = [], 0, 800000
end = time.time() + seconds
while time.time() < end:
    tid += 1
    t0 = time.time()
    s.sendto((head + "Transaction = %d { Context = - { AuditValue = ROOT { Audit { } } } }" % tid).encode(), target)
    want = ("Reply = %d " % tid).encode()
    try:
        while True:
            d, _ = s.recvfrom(65535)
            if want in d:
                times.append((time.time() - t0) * 1000); break
    except socket.timeout:
        unanswered += 1
    time.sleep(max(0.0, 0.1 - (time.time() - t0)))
times.sort()
p50 = times[len(times) // 2] if times else float("nan")
print("h248 probes=%d answered=%d unanswered=%d p50_ms=%.1f max_ms=%.1f" % (
    len(times) + unanswered, len(times), unanswered, p50, times[-1] if times else float("nan")))
