package io.pcmtrack.agent;

import static io.pcmtrack.agent.ParrotAgentTest.ms;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import io.pcmtrack.FrameScheduler;
import io.pcmtrack.MediaClock;
import io.pcmtrack.PcmData;
import org.junit.jupiter.api.Test;

/**
 * The one test on the system clock: a receiver thread feeds 20 ms chunks in real time while the
 * agent's track is sent by a threaded scheduler and another thread ticks and reads the timeline,
 * as a transport and a web page would. Bounds are generous: the machine is shared.
 */
class RealTimeAgentTest {

    @Test
    void anAnswerComesBackInRealTimeWithOtherThreadsReadingAndTicking() throws Exception {
        PcmData caller = new Signals(16_000).silence(200).tone(600, 440, -20).silence(2_000).pcm();
        short[] samples = caller.toShorts();
        AtomicLong audioFrames = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (FrameScheduler scheduler = new FrameScheduler(MediaClock.system());
             ParrotAgent agent = ParrotAgent.create(AgentOptions.defaults())) {
            scheduler.attach(agent.track(), f -> {
                if (!f.isSilence()) {
                    audioFrames.incrementAndGet();
                }
            });
            Thread page = new Thread(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        agent.tick();
                        agent.timeline().toMap();
                        LockSupport.parkNanos(5_000_000);
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "test-page");
            page.start();
            long start = System.nanoTime();
            for (int at = 0, chunk = 320; at < samples.length; at += chunk) {
                long due = start + TimeUnit.MILLISECONDS.toNanos(at / 16 + 20);
                LockSupport.parkNanos(Math.max(0, due - System.nanoTime()));
                agent.accept(PcmData.ofShorts(16_000, 1, java.util.Arrays.copyOfRange(samples, at,
                        Math.min(samples.length, at + chunk))));
            }
            page.interrupt();
            page.join(5_000);
            assertThat(failure.get()).isNull();
            Timeline t = agent.timeline();
            assertThat(t.utterances()).isEqualTo(1);
            assertThat(t.agentTurns()).singleElement().satisfies(a -> {
                assertThat(a.ending()).isEqualTo(AnswerEnding.PLAYED);
                assertThat(ms(a.responseDelay())).isBetween(500.0, 800.0);
                assertThat(ms(a.length())).isBetween(570.0, 630.0);
            });
            assertThat(audioFrames.get()).isBetween(29L, 33L); // 600 ms in 20 ms frames, the last padded
        }
    }
}
