package io.pcmtrack.telephony;

/**
 * A key the caller pressed, as the provider reported it.
 *
 * @param digit          {@code 0}-{@code 9}, {@code *}, {@code #} or {@code A}-{@code D}
 * @param durationMillis how long it was held, or -1 if the provider does not say
 */
public record DtmfEvent(String digit, int durationMillis) {
}
