# A TLS-terminating proxy: curl speaks HTTP/2 over TLS (ALPN h2) to it, and it
# forwards the plaintext to nghttpd --no-tls, recording what each side wrote
# (the bytes AgentSight's SSL_write/SSL_read probes would see at the client).
import socket, ssl, sys, threading
listen_port, target_port, prefix = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain("cert.pem", "key.pem")
ctx.set_alpn_protocols(["h2"])
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", listen_port)); srv.listen(1)
raw, _ = srv.accept()
c = ctx.wrap_socket(raw, server_side=True)
assert c.selected_alpn_protocol() == "h2", c.selected_alpn_protocol()
s = socket.create_connection(("127.0.0.1", target_port))
def pump(a, b, path):
    with open(path, "wb") as f:
        while True:
            try:
                d = a.recv(65536)
            except (ssl.SSLError, OSError):
                break
            if not d:
                break
            f.write(d); f.flush()
            try:
                b.sendall(d)
            except OSError:
                break
    try: b.shutdown(socket.SHUT_WR)
    except OSError: pass
t1 = threading.Thread(target=pump, args=(c, s, prefix + "_client.bin"))
t2 = threading.Thread(target=pump, args=(s, c, prefix + "_server.bin"))
t1.start(); t2.start(); t1.join(); t2.join()
