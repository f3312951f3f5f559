package io.pcmtrack.agent;

import java.time.Duration;
import java.util.Map;

/**
 * What happened in the conversation, as it happens; {@link #toMap()} gives plain values (a
 * {@code "type"} and times in ms) for a JSON encoder, such as a page's event stream. Times are
 * from the agent's creation, on its clock.
 */
public sealed interface AgentEvent {

    /** When it happened. */
    Duration at();

    Map<String, Object> toMap();

    /** The caller started a speech segment (it may still turn out a blip). */
    record CallerStarted(Duration at) implements AgentEvent {
        @Override
        public Map<String, Object> toMap() {
            Map<String, Object> m = Maps.of("callerStarted");
            m.put("atMs", Maps.ms(at));
            return m;
        }
    }

    /** The caller finished an utterance; the answer is being written. */
    record CallerEnded(Duration at, CallerTurn turn) implements AgentEvent {
        @Override
        public Map<String, Object> toMap() {
            Map<String, Object> m = Maps.of("callerEnded");
            m.put("atMs", Maps.ms(at));
            m.put("turn", turn.toMap());
            return m;
        }
    }

    /** A speech segment too short to be an utterance ended; nothing was answered or cut (a held answer resumes). */
    record BlipIgnored(Duration at, Duration from, Duration to, Duration speech) implements AgentEvent {
        @Override
        public Map<String, Object> toMap() {
            Map<String, Object> m = Maps.of("blipIgnored");
            m.put("atMs", Maps.ms(at));
            m.put("fromMs", Maps.ms(from));
            m.put("toMs", Maps.ms(to));
            m.put("speechMs", Maps.ms(speech));
            return m;
        }
    }

    /**
     * The answer's last burst was just written and its track mark placed at {@code position}.
     * Listeners run right after the write, before any other write of the agent's: a phone
     * transport that places its own mark here ({@code call.mark(label)}, resolved by the
     * provider's echo) puts it at the same position.
     *
     * @param turn     the answer's index
     * @param label    the mark's label, {@code "answer-N"}
     * @param position the mark's position in the track's stream
     */
    record AnswerWritten(Duration at, int turn, String label, long position) implements AgentEvent {
        @Override
        public Map<String, Object> toMap() {
            Map<String, Object> m = Maps.of("answerWritten");
            m.put("atMs", Maps.ms(at));
            m.put("turn", turn);
            m.put("label", label);
            m.put("position", position);
            return m;
        }
    }

    /**
     * The answer's first frame was emitted ({@code at}, see {@link AgentTurn#from()}).
     *
     * @param turn          the answer's index
     * @param answering     the caller turn it plays back
     * @param responseDelay from the end of that utterance to {@code at}
     * @param length        the whole answer
     */
    record AnswerStarted(Duration at, int turn, int answering, Duration responseDelay, Duration length)
            implements AgentEvent {
        @Override
        public Map<String, Object> toMap() {
            Map<String, Object> m = Maps.of("answerStarted");
            m.put("atMs", Maps.ms(at));
            m.put("turn", turn);
            m.put("answering", answering);
            m.put("responseDelayMs", Maps.ms(responseDelay));
            m.put("lengthMs", Maps.ms(length));
            return m;
        }
    }

    /**
     * The caller started speaking while the answer played ({@link AgentOptions#holdOnSpeech()}):
     * the answer was flushed with the fade and waits for the barge-in rule.
     *
     * @param turn  the answer's index
     * @param heard how much of it the listener got, the fade included
     */
    record AnswerHeld(Duration at, int turn, Duration heard) implements AgentEvent {
        @Override
        public Map<String, Object> toMap() {
            Map<String, Object> m = Maps.of("answerHeld");
            m.put("atMs", Maps.ms(at));
            m.put("turn", turn);
            m.put("heardMs", Maps.ms(heard));
            return m;
        }
    }

    /**
     * The speech that held the answer ended as a blip: the answer goes on from {@code from} into
     * it, the point the listener had heard (less a fraction of a caller sample), faded in.
     */
    record AnswerResumed(Duration at, int turn, Duration from) implements AgentEvent {
        @Override
        public Map<String, Object> toMap() {
            Map<String, Object> m = Maps.of("answerResumed");
            m.put("atMs", Maps.ms(at));
            m.put("turn", turn);
            m.put("fromMs", Maps.ms(from));
            return m;
        }
    }

    /** The caller barged in: the answer was flushed with the fade; {@code turn} tells what was heard. */
    record BargedIn(Duration at, AgentTurn turn) implements AgentEvent {
        @Override
        public Map<String, Object> toMap() {
            Map<String, Object> m = Maps.of("bargedIn");
            m.put("atMs", Maps.ms(at));
            m.put("speechStartMs", Maps.ms(turn.bargeInAt()));
            m.put("heardText", turn.heardText());
            m.put("turn", turn.toMap());
            return m;
        }
    }

    /** An answer ended: played out, barged in (after {@link BargedIn}) or closed. */
    record AnswerEnded(Duration at, AgentTurn turn) implements AgentEvent {
        @Override
        public Map<String, Object> toMap() {
            Map<String, Object> m = Maps.of("answerEnded");
            m.put("atMs", Maps.ms(at));
            m.put("turn", turn.toMap());
            return m;
        }
    }
}
