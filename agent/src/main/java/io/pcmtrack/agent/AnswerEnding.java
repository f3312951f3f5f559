package io.pcmtrack.agent;

/** How an answer ended. */
public enum AnswerEnding {
    /** Played to its end. */
    PLAYED,
    /** Cut by the caller: flushed with the fade. */
    BARGED_IN,
    /** Cut because the agent was closed or its track stopped. */
    CLOSED
}
