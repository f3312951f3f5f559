package io.pcmtrack.webrtc;

import dev.onvoid.webrtc.logging.LogSink;
import dev.onvoid.webrtc.logging.Logging;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards libwebrtc's log lines to SLF4J (logger {@code io.pcmtrack.webrtc.native}).
 *
 * <p>{@code Logging.addLogSink} is process-global and cannot be undone, so exactly one sink is
 * installed, by {@link WebRtcNative#ensureAvailable()}. The native severity threshold is WARNING,
 * or the value of the system property {@value #SEVERITY_PROPERTY} (VERBOSE, INFO, WARNING, ERROR,
 * NONE). Lines known to be harmless in pcmtrack's setups (a headless or dummy audio device, DTLS
 * start-up races, handles released in the right order) are logged at DEBUG. The sink is called
 * on native threads, where an escaping exception aborts the JVM: it catches everything.
 */
final class NativeLog implements LogSink {
    static final String SEVERITY_PROPERTY = "pcmtrack.webrtc.logSeverity";
    private static final Logger LOG = LoggerFactory.getLogger("io.pcmtrack.webrtc.native");
    private static final String[] HARMLESS = {
        "input_volume_stats_reporter.cc",          // no capture device: no input volume statistics
        "Unable to set playout device",            // dummy/headless audio device module
        "Failed to initialize recording",          // same
        "WebRTC-ForceDtls13",                      // field trial not set
        "Packet received before we know if we are doing DTLS", // ICE answers before DTLS starts
        "Native object was not deleted",           // ADM disposed while libwebrtc still holds a reference
        "ICE candidates can't be added without any remote session description", // queued by LoopbackCall
    };
    private static boolean installed;

    private NativeLog() {
    }

    static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        Logging.Severity severity;
        try {
            severity = Logging.Severity.valueOf(System.getProperty(SEVERITY_PROPERTY, "WARNING"));
        } catch (IllegalArgumentException e) {
            LOG.warn("{} must be one of VERBOSE, INFO, WARNING, ERROR, NONE, got '{}'; using WARNING",
                    SEVERITY_PROPERTY, System.getProperty(SEVERITY_PROPERTY));
            severity = Logging.Severity.WARNING;
        }
        Logging.addLogSink(severity, new NativeLog());
    }

    @Override
    public void onLogMessage(Logging.Severity severity, String message) {
        try {
            String line = message.endsWith("\n") ? message.substring(0, message.length() - 1) : message;
            if (isHarmless(line)) {
                LOG.debug("{}", line);
                return;
            }
            switch (severity) {
                case ERROR -> LOG.error("{}", line);
                case WARNING -> LOG.warn("{}", line);
                case INFO -> LOG.info("{}", line);
                default -> LOG.debug("{}", line);
            }
        } catch (Throwable t) {
            // Nothing may escape into native code; a failing logger is not worth a JVM abort.
        }
    }

    static boolean isHarmless(String line) {
        for (String h : HARMLESS) {
            if (line.contains(h)) {
                return true;
            }
        }
        return false;
    }
}
