#!/usr/bin/env python3
"""control-burst.py PORT REQUESTS ACKS: floods a Hopgate gateway's H.248 port from 127.0.0.2 (REQUESTS AuditValue
transactions, paced by their replies so the reply cache holds them, then ACKS TransactionResponseAcks of 200 uncached
ids each), then probes from 127.0.0.1 every 10 ms and prints how long after the burst the first answer came.
Loopback only; every loop is bounded (the probe gives up after 10 s)."""
import socket, sys, time
target = ("127.0.0.1", int(sys.argv[1]))
requests, acks = int(sys.argv[2]), int(sys.argv[3])
AUDIT = "Context = - { AuditValue = ROOT { Audit { } } }"
f = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); f.bind(("127.0.0.2", 0)); f.settimeout(2)
head = "MEGACO/1 [127.0.0.2]:%d\n" % f.getsockname()[1]
t0 = time.time()
for i in range(1, requests + 1):
    f.sendto((head + "Transaction = %d { %s }" % (i, AUDIT)).encode(), target)
    if i % 200 == 0:
        try:
            while True:
                d, _ = f.recvfrom(65535)
                if ("Reply = %d " % i).encode() in d: break
        except socket.timeout:
            pass
ranges = ",".join(str(1000000 + k) for k in range(1, 201))
ack = (head + "TransactionResponseAck { " + ranges + " }").encode()
for i in range(acks):
    f.sendto(ack, target)
end = time.time()
print("burst: %d requests + %d acks in %.2f s" % (requests, acks, end - t0))
p = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); p.bind(("127.0.0.1", 0)); p.settimeout(0.01)
msg = ("MEGACO/1 [127.0.0.1]:%d\nTransaction = 900001 { %s }" % (p.getsockname()[1], AUDIT)).encode()
sent = 0
while time.time() - end < 10:
    p.sendto(msg, target); sent += 1
    try:
        d, _ = p.recvfrom(65535)
        if b"Reply = 900001 " in d:
            print("answered %.0f ms after the burst (probe sent %d times, every 10 ms)" % ((time.time() - end) * 1000, sent)); break
    except socket.timeout:
        pass
else:
    print("no answer within 10 s")
