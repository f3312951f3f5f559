#!/usr/bin/python3
"""aiortc in place of pcmtrack's server, for WhepCapacity and WhipCapacity (--aiortc).

Speaks the ServeForBench protocol: prints "PORT n", then answers every "stats" line on stdin
with a STATS line; ends when stdin closes. Serves over HTTP on 127.0.0.1 (an ephemeral port):

  POST /whep/tone   a WHEP listener: an RTCPeerConnection sending the one tone source (1 kHz,
                    0.5 peak, 20 ms frames) through aiortc's MediaRelay, so the tone is generated
                    and paced once and fanned out, as pcmtrack's server does; each connection
                    encodes Opus for itself, as libwebrtc does.
  POST /whip/mic    a WHIP publication: an RTCPeerConnection receiving audio, whose decoded
                    frames a task of the application reads and judges as ToneCheck does.
  DELETE <Location> closes the connection.

Lateness ("p99us", "maxus") is how late the tone source's recv() returns after its frame's due
time, the equivalent of pcmtrack's push lateness. ICE is restricted to 127.0.0.1 (aioice
gathers on every interface but loopback otherwise) and no STUN server is used.

Needs Debian's python3-aiortc (aiortc 1.4.0 on bookworm); run with /usr/bin/python3.
"""
import asyncio
import fractions
import math
import os
import sys
import threading
import time
import uuid

import aioice.ice
import numpy as np
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError
from av import AudioFrame

# Media stays on loopback: aioice leaves 127.0.0.1 out of its host candidates, put it in alone.
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]

RATE = 48000
FRAME = 960  # 20 ms
FREQUENCY = 1000.0
AMPLITUDE = 0.5
SETTLE = 2.0


class Histogram:
    """Lateness in microseconds since the previous snapshot."""

    def __init__(self):
        self.values = []

    def take(self):
        v, self.values = self.values, []
        if not v:
            return 0, 0, 0
        v.sort()
        return v[len(v) // 2], v[min(len(v) - 1, int(len(v) * 0.99))], v[-1]


class ToneSource(AudioStreamTrack):
    """A paced 1 kHz tone; records how late each frame is handed out."""

    def __init__(self, lateness):
        super().__init__()
        self.lateness = lateness
        self.n = 0
        self.start = None
        self.frames = 0
        # 20 ms is a whole number of periods: every frame is the same and the tone is continuous.
        t = np.arange(FRAME)
        self.samples = (AMPLITUDE * 32767 * np.sin(2 * math.pi * FREQUENCY * t / RATE)).astype(np.int16)

    async def recv(self):
        if self.start is None:
            self.start = time.monotonic()
        due = self.start + self.n / RATE
        wait = due - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        self.lateness.values.append(max(0, int((time.monotonic() - due) * 1e6)))
        frame = AudioFrame(format="s16", layout="mono", samples=FRAME)
        frame.planes[0].update(self.samples.tobytes())
        frame.sample_rate = RATE
        frame.pts = self.n
        frame.time_base = fractions.Fraction(1, RATE)
        self.n += FRAME
        self.frames += 1
        return frame


def is_tone(x):
    """ToneCheck.isTone: amplitude within 3 dB, other energy at most a tenth."""
    n = len(x)
    if n == 0:
        return True
    w = 2 * math.pi * FREQUENCY / RATE * np.arange(n)
    c = float(np.dot(x, np.cos(w)))
    s = float(np.dot(x, np.sin(w)))
    energy = float(np.dot(x, x))
    amplitude = 2 * math.hypot(c, s) / n
    tone_energy = amplitude * amplitude / 2 * n
    level = AMPLITUDE / math.sqrt(2) < amplitude < AMPLITUDE * math.sqrt(2)
    return level and energy - tone_energy <= 0.1 * energy


class Server:
    def __init__(self):
        self.lateness = Histogram()
        self.source = ToneSource(self.lateness)
        self.relay = MediaRelay()
        self.sessions = {}  # id -> (kind, pc)
        self.whip = {}  # id -> counters
        self.frames_before = 0

    def config(self):
        return RTCConfiguration(iceServers=[])

    async def whep(self, offer):
        pc = RTCPeerConnection(self.config())
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        pc.addTrack(self.relay.subscribe(self.source))
        await pc.setLocalDescription(await pc.createAnswer())
        return pc, pc.localDescription.sdp

    async def whip_(self, offer, sid):
        pc = RTCPeerConnection(self.config())
        counters = {"chunks": 0, "damaged": 0, "gaps": 0, "maxGap": 0.0}

        @pc.on("track")
        def on_track(track):
            if track.kind == "audio":
                asyncio.ensure_future(self.read(track, counters))

        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        self.whip[sid] = counters
        return pc, pc.localDescription.sdp

    async def read(self, track, counters):
        start = time.monotonic()
        last = None
        try:
            while True:
                frame = await track.recv()
                now = time.monotonic()
                if last is not None:
                    interval = now - last
                    counters["maxGap"] = max(counters["maxGap"], interval)
                    if interval > 2 * frame.samples / frame.sample_rate:
                        counters["gaps"] += 1
                last = now
                if now - start < SETTLE:
                    continue
                x = frame.to_ndarray()
                channels = len(frame.layout.channels)
                x = x.reshape(-1)[::channels].astype(np.float64) / 32768.0
                counters["chunks"] += 1
                if not is_tone(x):
                    counters["damaged"] += 1
        except MediaStreamError:
            pass

    def stats(self):
        p50, p99, mx = self.lateness.take()
        frames = self.source.frames - self.frames_before
        self.frames_before = self.source.frames
        chunks = sum(c["chunks"] for c in self.whip.values())
        damaged = sum(c["damaged"] for c in self.whip.values())
        gaps = sum(c["gaps"] for c in self.whip.values())
        max_gap = max([c["maxGap"] for c in self.whip.values()] or [0])
        for c in self.whip.values():
            c["chunks"] = c["damaged"] = c["gaps"] = 0
        listeners = sum(1 for k, _ in self.sessions.values() if k == "whep")
        return ("STATS heapKb=0 threads=%d osThreads=%d sessions=%d listeners=%d frames=%d p50us=%d p99us=%d"
                " maxus=%d whip=%d chunks=%d damaged=%d gaps=%d dropped=0 maxGapMs=%d" % (
                    threading.active_count(), len(os.listdir("/proc/self/task")), len(self.sessions), listeners,
                    frames, p50, p99, mx, len(self.whip), chunks, damaged, gaps, int(max_gap * 1000)))

    async def handle(self, reader, writer):
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = {}
            for l in lines[1:]:
                if ":" in l:
                    k, v = l.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            status, extra, out = await self.route(method, path, body.decode("utf-8"))
        except Exception as e:  # noqa: BLE001 - the bench wants the reason in the response
            status, extra, out = 500, {}, "%s: %s" % (type(e).__name__, e)
        reason = {200: "OK", 201: "Created", 404: "Not Found", 500: "Internal Server Error"}.get(status, "Error")
        data = out.encode("utf-8")
        hdr = "HTTP/1.1 %d %s\r\nContent-Length: %d\r\nConnection: close\r\n" % (status, reason, len(data))
        for k, v in extra.items():
            hdr += "%s: %s\r\n" % (k, v)
        writer.write(hdr.encode("latin-1") + b"\r\n" + data)
        await writer.drain()
        writer.close()

    async def route(self, method, path, body):
        parts = path.strip("/").split("/")
        if method == "POST" and len(parts) == 2 and parts[0] in ("whep", "whip"):
            sid = uuid.uuid4().hex[:12]
            if parts[0] == "whep":
                pc, answer = await self.whep(body)
            else:
                pc, answer = await self.whip_(body, sid)
            self.sessions[sid] = (parts[0], pc)
            return 201, {"Location": "/%s/%s/%s" % (parts[0], parts[1], sid),
                         "Content-Type": "application/sdp"}, answer
        if method == "DELETE" and len(parts) == 3 and parts[2] in self.sessions:
            _, pc = self.sessions.pop(parts[2])
            self.whip.pop(parts[2], None)
            await pc.close()
            return 200, {}, ""
        return 404, {}, "no such resource: %s %s" % (method, path)


async def main():
    server = Server()
    http = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    print("PORT %d" % http.sockets[0].getsockname()[1], flush=True)
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def stdin():
        for line in sys.stdin:
            if line.strip() in ("stats", "stats gc"):
                loop.call_soon_threadsafe(lambda: print(server.stats(), flush=True))
        loop.call_soon_threadsafe(done.set_result, None)

    threading.Thread(target=stdin, daemon=True).start()
    await done
    for _, pc in list(server.sessions.values()):
        await pc.close()


if __name__ == "__main__":
    asyncio.run(main())
