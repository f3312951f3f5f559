package io.pcmtrack.telephony;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A socket that keeps everything sent to it, for tests of the wire format. */
final class WireCapture implements MessageSocket {
    final List<String> texts = new CopyOnWriteArrayList<>();
    final List<byte[]> binaries = new CopyOnWriteArrayList<>();
    final List<String> closes = new CopyOnWriteArrayList<>();

    @Override
    public void sendText(String text) {
        texts.add(text);
    }

    @Override
    public void sendBinary(byte[] data) {
        binaries.add(data);
    }

    @Override
    public void close(int code, String reason) {
        closes.add(code + " " + reason);
    }

    @Override
    public String peer() {
        return "capture";
    }
}
