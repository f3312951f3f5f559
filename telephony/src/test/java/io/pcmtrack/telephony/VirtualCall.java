package io.pcmtrack.telephony;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.pcmtrack.FrameScheduler;
import io.pcmtrack.VirtualClock;

/**
 * A Twilio call in virtual time with no network: the endpoint's connection and a
 * {@link ProviderSimulator} talk through an in-memory socket, a manual {@link FrameScheduler} on a
 * {@link VirtualClock} paces the outgoing audio, and {@link #tick()} moves 20 ms: the scheduler
 * sends what is due, the provider plays a frame.
 */
final class VirtualCall {
    final VirtualClock clock = new VirtualClock();
    final FrameScheduler scheduler = FrameScheduler.manual(clock);
    final TwilioEndpoint endpoint;
    final MessageHandler handler;
    final ProviderSimulator provider;
    final AtomicReference<PhoneCall> call = new AtomicReference<>();
    final List<String> closes = new ArrayList<>();
    private final AtomicReference<ProviderSimulator> peer = new AtomicReference<>();

    VirtualCall(Duration lead) {
        this(CallOptions.of(FrameScheduler.manual(new VirtualClock())), lead, true);
    }

    private VirtualCall(CallOptions ignored, Duration lead, boolean connect) {
        CallOptions options = CallOptions.of(scheduler).lead(lead);
        endpoint = new TwilioEndpoint(options, call::set);
        handler = endpoint.open(new MessageSocket() {
            @Override
            public void sendText(String text) {
                peer.get().onServerText(text);
            }

            @Override
            public void sendBinary(byte[] data) {
                throw new AssertionError("Twilio gets no binary messages");
            }

            @Override
            public void close(int code, String reason) {
                closes.add(code + " " + reason);
            }

            @Override
            public String peer() {
                return "simulator";
            }
        });
        provider = new ProviderSimulator(handler::onText, "MZ00000000000000000000000000000001");
        peer.set(provider);
        if (connect) {
            provider.connect("CA1", "agent", "test");
        }
    }

    PhoneCall call() {
        return call.get();
    }

    /** 20 ms: frames due now go out, then the provider plays one frame, then time moves on. */
    void tick() {
        scheduler.runDue();
        provider.play();
        clock.advance(Duration.ofMillis(20));
    }

    /** 20 ms in which the scheduler does not run (a stall) while the provider keeps playing. */
    void stalledTick() {
        provider.play();
        clock.advance(Duration.ofMillis(20));
    }

    void ticks(int n) {
        for (int i = 0; i < n; i++) {
            tick();
        }
    }
}
