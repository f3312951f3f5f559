package io.pcmtrack.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;

import io.pcmtrack.FrameScheduler;
import io.pcmtrack.PcmData;
import io.pcmtrack.VirtualClock;
import io.pcmtrack.telephony.CallOptions;
import io.pcmtrack.telephony.MessageHandler;
import io.pcmtrack.telephony.MessageSocket;
import io.pcmtrack.telephony.PhoneCall;
import io.pcmtrack.telephony.TwilioEndpoint;

/**
 * CPU time and allocation of one Twilio call's protocol work, on one thread, without a clock to
 * wait for (a manual scheduler on a {@link VirtualClock}): per outgoing frame (write 20 ms to the
 * track, emit it, μ-law, base64, the JSON message) and per incoming media message (JSON parse,
 * base64, μ-law decode, the receiver's queue, read back). The numbers that, times 50 per second,
 * give a call's CPU cost independently of how loaded the machine is.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.pcmtrack.bench.TelephonyCost [messages]
 * </pre>
 */
public final class TelephonyCost {
    private TelephonyCost() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        VirtualClock clock = new VirtualClock();
        FrameScheduler scheduler = FrameScheduler.manual(clock);
        PhoneCall[] call = new PhoneCall[1];
        TwilioEndpoint twilio = new TwilioEndpoint(CallOptions.of(scheduler).lead(Duration.ZERO), c -> call[0] = c);
        long[] bytes = new long[1];
        MessageHandler h = twilio.open(new MessageSocket() {
            @Override
            public void sendText(String text) {
                bytes[0] += text.length();
            }

            @Override
            public void sendBinary(byte[] data) {
                bytes[0] += data.length;
            }

            @Override
            public void close(int code, String reason) {
            }

            @Override
            public String peer() {
                return "cost";
            }
        });
        h.onText("{\"event\":\"start\",\"sequenceNumber\":\"1\",\"start\":{\"streamSid\":\"MZ1\",\"callSid\":\"CA1\","
                + "\"mediaFormat\":{\"encoding\":\"audio/x-mulaw\",\"sampleRate\":8000,\"channels\":1}},\"streamSid\":\"MZ1\"}");
        PcmData chunk = PcmData.ofShorts(8000, 1, Signals.toneShorts(8000, 440, 0.3, 160));
        byte[] ulaw = new byte[160];
        io.pcmtrack.telephony.G711.ulawEncode(chunk.toShorts(), 0, ulaw, 0, 160);
        String payload = Base64.getEncoder().encodeToString(ulaw);
        // The provider's messages are built before the clock starts: their cost is the provider's.
        String[] inbound = new String[n];
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().getId();
        long sequence = 2;
        System.out.println("| round | CPU per outgoing frame | B per outgoing frame | CPU per incoming message | B per incoming message |");
        System.out.println("|---|---|---|---|---|");
        for (int round = 1; round <= 3; round++) {
            for (int i = 0; i < n; i++) {
                inbound[i] = "{\"event\":\"media\",\"sequenceNumber\":\"" + (sequence++) + "\",\"media\":{\"track\":\"inbound\","
                        + "\"chunk\":\"" + i + "\",\"timestamp\":\"" + 20 * i + "\",\"payload\":\"" + payload + "\"},\"streamSid\":\"MZ1\"}";
            }
            long cpu0 = mx.getCurrentThreadCpuTime();
            long alloc0 = mx.getThreadAllocatedBytes(self);
            for (int i = 0; i < n; i++) {
                call[0].track().write(chunk);
                scheduler.runDue();
                clock.advance(Duration.ofMillis(20));
            }
            long cpu1 = mx.getCurrentThreadCpuTime();
            long alloc1 = mx.getThreadAllocatedBytes(self);
            for (int i = 0; i < n; i++) {
                h.onText(inbound[i]);
                if ((i & 7) == 7) {
                    clock.advance(Duration.ofMillis(20)); // stay under the rate limit, as a real stream does
                    while (call[0].audio().read(Duration.ZERO) != null) {
                        // the application takes the audio
                    }
                }
            }
            long cpu2 = mx.getCurrentThreadCpuTime();
            long alloc2 = mx.getThreadAllocatedBytes(self);
            System.out.printf(Locale.ROOT, "| %d | %.2f µs | %d | %.2f µs | %d |%n", round, (cpu1 - cpu0) / 1e3 / n,
                    (alloc1 - alloc0) / n, (cpu2 - cpu1) / 1e3 / n, (alloc2 - alloc1) / n);
        }
        if (call[0].stats().mediaReceived() != 3L * n || call[0].stats().framesSent() < 3L * n) {
            throw new IllegalStateException("not every message was handled: " + call[0].stats());
        }
    }
}
