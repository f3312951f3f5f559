package io.pcmtrack.agent;

import java.time.Duration;
import java.util.Map;

/**
 * One utterance of the caller. Times are from the agent's creation, on its clock; a caller
 * sample's time is when its chunk arrived, less the audio after it in that chunk.
 *
 * @param index     1 for the first utterance
 * @param from      start of its first speech window
 * @param to        end of its last speech window (the silence that ended it is not part of it)
 * @param speech    time in speech windows (pauses inside the utterance not counted)
 * @param levelDbfs level of the recorded utterance (mean square over all of it), dBFS
 * @param bargedIn  whether it cut the agent
 * @param truncated whether it was longer than {@link AgentOptions#maxUtterance()}, so that only
 *                  its beginning was recorded and answered
 */
public record CallerTurn(int index, Duration from, Duration to, Duration speech, double levelDbfs,
                         boolean bargedIn, boolean truncated) {

    public Duration duration() {
        return to.minus(from);
    }

    /** Plain values for a JSON encoder: times in ms. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = Maps.of(null);
        m.put("speaker", "caller");
        m.put("index", index);
        m.put("fromMs", Maps.ms(from));
        m.put("toMs", Maps.ms(to));
        m.put("durationMs", Maps.ms(duration()));
        m.put("speechMs", Maps.ms(speech));
        m.put("levelDbfs", Maps.db(levelDbfs));
        m.put("bargedIn", bargedIn);
        m.put("truncated", truncated);
        return m;
    }
}
