package io.pcmtrack.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pcmtrack.TrackStats;

/**
 * A snapshot of the conversation: the last turns of each side (at most
 * {@link AgentOptions#history()} each), the totals since the start, the live state and the
 * track's counters. Immutable; {@link #toMap()} gives plain values for a JSON encoder.
 *
 * @param now             the agent's clock, from its creation
 * @param speaking        whether an answer is being played
 * @param callerSpeaking  whether the caller is in a speech segment
 * @param callerLevelDbfs level of the caller's last 10 ms window
 * @param noiseFloorDbfs  the caller's noise floor (see {@link VadOptions})
 * @param callerTurns     the last caller turns, oldest first
 * @param agentTurns      the last finished answers, oldest first
 * @param utterances      caller utterances since the start
 * @param answers         answers finished since the start
 * @param bargeIns        answers cut by the caller since the start
 * @param blips           speech segments too short to count since the start
 * @param stats           the agent's track
 */
public record Timeline(Duration now, boolean speaking, boolean callerSpeaking, double callerLevelDbfs,
                       double noiseFloorDbfs, List<CallerTurn> callerTurns, List<AgentTurn> agentTurns,
                       long utterances, long answers, long bargeIns, long blips, TrackStats stats) {

    public Timeline {
        callerTurns = List.copyOf(callerTurns);
        agentTurns = List.copyOf(agentTurns);
    }

    /** Plain values for a JSON encoder: times in ms, turns of both sides merged in time order under "turns". */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nowMs", Maps.ms(now));
        m.put("speaking", speaking);
        m.put("callerSpeaking", callerSpeaking);
        m.put("callerLevelDbfs", Maps.db(callerLevelDbfs));
        m.put("noiseFloorDbfs", Maps.db(noiseFloorDbfs));
        List<Map<String, Object>> turns = new ArrayList<>();
        int c = 0;
        int a = 0;
        while (c < callerTurns.size() || a < agentTurns.size()) {
            boolean callerFirst = a == agentTurns.size() || (c < callerTurns.size()
                    && callerTurns.get(c).from().compareTo(agentTurns.get(a).from()) <= 0);
            turns.add(callerFirst ? callerTurns.get(c++).toMap() : agentTurns.get(a++).toMap());
        }
        m.put("turns", turns);
        m.put("utterances", utterances);
        m.put("answers", answers);
        m.put("bargeIns", bargeIns);
        m.put("blips", blips);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("framesEmitted", stats.framesEmitted());
        s.put("silentFrames", stats.silentFrames());
        s.put("paddedFrames", stats.paddedFrames());
        s.put("droppedSamples", stats.droppedSamples());
        s.put("lateFrames", stats.lateFrames());
        s.put("maxLatenessMs", Maps.ms(stats.maxLateness()));
        s.put("writtenSamples", stats.writtenSamples());
        s.put("flushes", stats.flushes());
        s.put("flushedSamples", stats.flushedSamples());
        s.put("stalls", stats.stalls());
        s.put("skippedFrames", stats.skippedFrames());
        m.put("track", s);
        return m;
    }
}
