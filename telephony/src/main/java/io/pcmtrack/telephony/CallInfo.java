package io.pcmtrack.telephony;

import java.util.Map;

/**
 * Who the call is, as the provider's start message says.
 *
 * @param provider   {@code twilio}, {@code telnyx} or {@code vonage}
 * @param callId     the provider's call id (Twilio {@code callSid}, Telnyx {@code call_control_id},
 *                   Vonage: the {@code uuid} header if the application sent one), or "" if none
 * @param streamId   the media stream's id (Twilio {@code streamSid}, Telnyx {@code stream_id}), or ""
 * @param parameters custom parameters the application attached to the stream
 *                   (Twilio {@code customParameters}, Vonage headers), never null
 */
public record CallInfo(String provider, String callId, String streamId, Map<String, String> parameters) {
    public CallInfo {
        parameters = Map.copyOf(parameters);
    }
}
