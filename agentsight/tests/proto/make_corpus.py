#!/usr/bin/env python3
"""Writes the seed corpora of the proto fuzz targets (corpus/fuzz_as_*/).

Seeds are small valid and broken inputs in each target's input format (see
the comment at the top of each fuzz_*.c). Run from this folder; the output is
committed, so this only needs running again when a seed is added.
"""
import gzip
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(name):
    with open(os.path.join(HERE, "data", name), "rb") as f:
        return f.read()


# ---- HTTP/1.x: option byte, then the stream
rfc_req = (b"GET /hello.txt HTTP/1.1\r\nUser-Agent: curl/7.16.3\r\nHost: www.example.com\r\n"
           b"Accept-Language: en, mi\r\n\r\n")
rfc_resp = (b"HTTP/1.1 200 OK\r\nContent-Length: 51\r\nContent-Type: text/plain\r\n\r\n"
            b"Hello World! My payload includes a trailing CRLF.\r\n")
chunked = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;a=b\r\nWiki\r\n5\r\npedia\r\n"
           b"E\r\n in\r\n\r\nchunks.\r\n0\r\nExpires: never\r\n\r\n")
gz = gzip.compress(b'{"choices":[{"message":{"content":"hello"}}]}' * 20, mtime=0)
gz_resp = (b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(gz)) + gz
sse_resp = (b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"f\r\ndata: {\"a\":1}\n\n\r\nd\r\ndata: [DONE]\n\r\n0\r\n\r\n")
pipelined = (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
             b"HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n")
write("fuzz_as_http1", "rfc_request", b"\x00" + rfc_req)
write("fuzz_as_http1", "rfc_response", b"\x10" + rfc_resp)
write("fuzz_as_http1", "chunked_trailers", b"\x00" + chunked)
write("fuzz_as_http1", "gzip_small_limits", b"\x01" + gz_resp)
write("fuzz_as_http1", "sse_chunked", b"\x10" + sse_resp)
write("fuzz_as_http1", "pipelined_head", b"\x12" + pipelined)
write("fuzz_as_http1", "gaps", b"\x38" + rfc_resp + rfc_resp)
write("fuzz_as_http1", "chunk_overflow",
      b"\x00HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1FFFFFFFFFFFFFFFF\r\nx\r\n")
write("fuzz_as_http1", "bad_content_length",
      b"\x00HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")
write("fuzz_as_http1", "garbage", b"\x00\x16\x03\x01\x02\x00\x01\x00\x01\xfc junk\nGET / HTTP/1.1\r\n\r\n")

# ---- SSE: limit byte, then the stream
write("fuzz_as_sse", "whatwg_examples", b"\x00" + b": test stream\n\ndata: first event\nid: 1\n\n"
      b"data:second event\nid\n\ndata:  third event\n")
write("fuzz_as_sse", "types_crlf", b"\x00event: add\r\ndata: 73857293\r\n\r\nevent: remove\rdata: 2153\r\r")
write("fuzz_as_sse", "bom_utf8", b"\x00\xef\xbb\xbfdata: caf\xc3\xa9 \xff \xe2\x82\n\n")
write("fuzz_as_sse", "limit", b"\x08data: 0123456789\ndata: abcdefghijklmnop\n\nretry: 1500\n\n")
write("fuzz_as_sse", "openai", b"\x00data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: [DONE]\n\n")

# ---- HPACK: option byte, then blocks (RFC 7541 Appendix C)
c3 = bytes.fromhex("828684410f7777772e6578616d706c652e636f6d" "828684be58086e6f2d6361636865"
                   "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565")
c4 = bytes.fromhex("828684418cf1e3c2e5f23a6ba0ab90f4ff" "828684be5886a8eb10649cbf"
                   "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf")
c6 = bytes.fromhex("488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad"
                   "171863c78f0b97c8e9ae82ae43d3" "4883640effc1c0bf"
                   "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2"
                   "e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007")
write("fuzz_as_hpack", "c3_requests", b"\x08" + c3)
write("fuzz_as_hpack", "c4_requests_huffman", b"\x08" + c4)
write("fuzz_as_hpack", "c6_responses_huffman", b"\x00" + c6)
write("fuzz_as_hpack", "size_updates", b"\x28" + bytes.fromhex("3fe11f82203fe11fbe"))
write("fuzz_as_hpack", "bad_index", b"\x08" + bytes.fromhex("80be7f0001ffffffffff7f"))
write("fuzz_as_hpack", "bad_huffman", b"\x18" + bytes.fromhex("0081 1f81 18 0081 1f84 ffffffff".replace(" ", "")))


# ---- HTTP/2: option byte, 2-byte client length, client bytes, server bytes
def frame(t, flags, sid, payload):
    n = len(payload)
    return struct.pack(">BHBBI", n >> 16, n & 0xffff, t, flags, sid) + payload


def lit(name, value, kind=0x00):
    return bytes([kind, len(name)]) + name + bytes([len(value)]) + value


def h2_seed(opt, cli, srv):
    return bytes([opt]) + struct.pack(">H", len(cli)) + cli + srv


req = b"\x82\x87" + lit(b":path", b"/v1/chat/completions") + lit(b":authority", b"api.openai.com")
cli = frame(4, 0, 0, b"") + frame(1, 0x4, 1, req) + frame(0, 0x1, 1, b'{"model":"x"}')
body = gzip.compress(b"data: {\"delta\":\"hi\"}\n\n" * 10, mtime=0)
srv = (frame(4, 0, 0, b"\x00\x03\x00\x00\x00\x64") +
       frame(1, 0x4, 1, b"\x88" + lit(b"content-encoding", b"gzip") +
             lit(b"content-type", b"text/event-stream")) +
       frame(0, 0x8, 1, bytes([4]) + body[:30] + b"\0\0\0\0") + frame(0, 0x1, 1, body[30:]))
write("fuzz_as_http2", "gzip_sse", h2_seed(0x01, cli, srv))
cont = frame(4, 0, 0, b"") + frame(1, 0x20, 3, b"\x00\x00\x00\x00\x10" + req[:9]) + \
    frame(9, 0x4, 3, req[9:]) + frame(1, 0x5, 3, lit(b"x-trailer", b"1"))
push = frame(5, 0x4, 3, b"\x00\x00\x00\x02\x82" + lit(b"x-shared", b"p", 0x40)) + \
    frame(1, 0x5, 3, b"\x88\xbe") + frame(3, 0, 3, b"\x00\x00\x00\x08") + \
    frame(7, 0, 0, b"\x00\x00\x00\x03\x00\x00\x00\x00")
write("fuzz_as_http2", "continuation_push", h2_seed(0x81, cont, push))
write("fuzz_as_http2", "small_limits_gap", h2_seed(0x16, cli, srv))
write("fuzz_as_http2", "bad_frames", h2_seed(0x01, frame(0, 0x9, 1, b"\x05abcd") + frame(9, 0, 1, b"x"),
                                             frame(4, 0, 0, b"\x00\x01\x00") + frame(1, 0x4, 1, b"\xff\x7f")))
# The exchange recorded from curl and nghttpd, cut to its first 4 KB per side.
rc, rs = read("h2_client.bin"), read("h2_server.bin")
write("fuzz_as_http2", "recorded_nghttpd", h2_seed(0x00, rc, rs[:4096]))
