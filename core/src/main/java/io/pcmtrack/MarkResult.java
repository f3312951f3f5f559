package io.pcmtrack;

/**
 * How a {@link Mark} resolved.
 *
 * @param label    the mark's label
 * @param position the mark's stream position (samples per channel)
 * @param outcome  the fate of sample {@code position - 1}
 * @param pts      for {@link MarkOutcome#PLAYED}: pts of the frame that carried the last sample
 *                 emitted before {@code position} (-1 if none ever was); -1 for the other outcomes
 */
public record MarkResult(String label, long position, MarkOutcome outcome, long pts) {
}
