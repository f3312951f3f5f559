package io.pcmtrack.agent;

import java.time.Duration;
import java.util.Map;

/**
 * One answer of the agent and how much of it the caller heard, exact to the sample: the
 * agent notes {@code start = track.writePosition()} before writing it, and the heard part is
 * {@code clamp(playedPosition - start, 0, length)} with the played position of the flush that cut
 * it (its fade included), or the whole length when it played out. An answer that was held and
 * resumed adds the part heard before the hold to what it played from the resume on.
 *
 * @param index         1 for the first answer
 * @param answering     index of the {@link CallerTurn} it plays back
 * @param from          when its first frame was emitted: seen by the agent between two caller
 *                      chunks (or ticks), and placed back by the frames emitted since, so it is
 *                      exact when the agent looks right after a frame and at most one look late
 * @param to            {@code from + heard}, plus the pauses of holds that resumed: the answer goes
 *                      out without other gaps (it is written ahead)
 * @param responseDelay from the end of the caller's utterance to {@code from}; null if none of it was emitted
 * @param startPosition the track's write position before the answer
 * @param lengthSamples the answer's length, samples per channel at the track's rate
 * @param heardSamples  how much of it was emitted (the fade of a barge-in included)
 * @param sampleRate    the track's rate
 * @param ending        played out, barged in, or closed
 * @param bargeInAt     for {@link AnswerEnding#BARGED_IN}: start of the caller's speech that cut it; else null
 * @param cutAt         when the flush that cut it happened (a barge-in's hold or its own flush, or close); else null
 * @param mark          label of the track mark placed after the answer's last write (null if it
 *                      was cut before it was all written)
 */
public record AgentTurn(int index, int answering, Duration from, Duration to, Duration responseDelay,
                        long startPosition, long lengthSamples, long heardSamples, int sampleRate,
                        AnswerEnding ending, Duration bargeInAt, Duration cutAt, String mark) {

    public Duration length() {
        return samples(lengthSamples);
    }

    public Duration heard() {
        return samples(heardSamples);
    }

    /** "2.3 s of 3.1 s heard". */
    public String heardText() {
        return Maps.seconds(heard()) + " of " + Maps.seconds(length()) + " heard";
    }

    private Duration samples(long n) {
        return Duration.ofNanos(n * 1_000_000_000L / sampleRate);
    }

    /** Plain values for a JSON encoder: times in ms. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = Maps.of(null);
        m.put("speaker", "agent");
        m.put("index", index);
        m.put("answering", answering);
        m.put("fromMs", Maps.ms(from));
        m.put("toMs", Maps.ms(to));
        m.put("responseDelayMs", Maps.ms(responseDelay));
        m.put("lengthMs", Maps.ms(length()));
        m.put("heardMs", Maps.ms(heard()));
        m.put("heardText", heardText());
        m.put("startPosition", startPosition);
        m.put("lengthSamples", lengthSamples);
        m.put("heardSamples", heardSamples);
        m.put("sampleRate", sampleRate);
        m.put("ending", ending.name().toLowerCase(java.util.Locale.ROOT));
        m.put("bargeInAtMs", Maps.ms(bargeInAt));
        m.put("cutAtMs", Maps.ms(cutAt));
        m.put("mark", mark);
        return m;
    }
}
