package io.pcmtrack.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The timeline and the events become plain maps a JSON encoder takes as they are. */
class TimelineMapTest {

    @Test
    void theTimelineMapHoldsOnlyJsonValuesWithTurnsInTimeOrder() {
        try (SimulatedCall call = new SimulatedCall()) {
            call.feed(new Signals(16_000).silence(200).tone(1_500, 440, -20).silence(1_220).tone(600, 660, -20)
                    .silence(2_000).pcm());
            Map<String, Object> m = call.agent.timeline().toMap();
            assertJsonValue(m);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> turns = (List<Map<String, Object>>) m.get("turns");
            assertThat(turns).extracting(t -> t.get("speaker")).containsExactly("caller", "agent", "caller", "agent");
            assertThat(turns).extracting(t -> (Double) t.get("fromMs")).isSorted();
            Map<String, Object> cut = turns.get(1);
            assertThat(cut.get("ending")).isEqualTo("barged_in");
            assertThat((String) cut.get("heardText")).matches("\\d\\.\\d s of 1\\.5 s heard");
            assertThat(m.get("bargeIns")).isEqualTo(1L);
            assertThat(((Map<?, ?>) m.get("track")).get("flushes")).isEqualTo(1L);
            for (AgentEvent e : call.events) {
                Map<String, Object> em = e.toMap();
                assertJsonValue(em);
                assertThat(em.get("type")).isInstanceOf(String.class);
                assertThat(em.get("atMs")).isEqualTo(e.at().toNanos() / 1000 / 1000.0);
            }
        }
    }

    private static void assertJsonValue(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Number) {
            return;
        }
        if (v instanceof Map<?, ?> map) {
            map.forEach((k, value) -> {
                assertThat(k).isInstanceOf(String.class);
                assertJsonValue(value);
            });
            return;
        }
        if (v instanceof List<?> list) {
            list.forEach(TimelineMapTest::assertJsonValue);
            return;
        }
        throw new AssertionError("not a JSON value: " + v.getClass() + " " + v);
    }
}
