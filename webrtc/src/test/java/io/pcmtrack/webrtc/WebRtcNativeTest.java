package io.pcmtrack.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** How native-library failures are reported (the real failure is exercised in {@link ProcessLifecycleTest}). */
class WebRtcNativeTest {

    @Test
    void aMissingNativeResourceNamesItAndTheArtifactToAdd() {
        assertThatThrownBy(() -> WebRtcNative.checkNativeResource("libwebrtc-java-plan9-mips.so", getClass().getClassLoader()))
                .isInstanceOf(WebRtcUnavailableException.class)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'libwebrtc-java-plan9-mips.so' is not on the class path")
                .hasMessageContaining("dev.onvoid.webrtc:webrtc-java:0.14.0 with classifier");
    }

    @Test
    void thisPlatformsResourceIsOnTheTestClassPath() {
        assertThat(WebRtcNative.expectedResource()).isEqualTo("libwebrtc-java-linux-x86_64.so");
        WebRtcNative.checkNativeResource(WebRtcNative.expectedResource(), getClass().getClassLoader());
        assertThat(WebRtcNative.isAvailable()).isTrue();
    }

    @Test
    void aLinkErrorForLibpulseSaysToInstallLibpulse0() {
        // What webrtc-java throws on first touch when libpulse.so.0 is missing (it unpacks the
        // library into the temporary directory first).
        String unpacked = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "libwebrtc-java-linux-x86_641234.so")
                .toString();
        Throwable thrown = new ExceptionInInitializerError(new RuntimeException("Load library 'webrtc-java' failed",
                new UnsatisfiedLinkError(unpacked + ": libpulse.so.0: cannot open shared"
                        + " object file: No such file or directory")));
        WebRtcUnavailableException e = WebRtcNative.unavailable(thrown);
        assertThat(e).hasMessageContaining("libpulse.so.0: cannot open shared object file")
                .hasMessageContaining("install libpulse0").hasCause(thrown);
    }

    @Test
    void otherFailuresKeepTheirCause() {
        Throwable later = new NoClassDefFoundError("Could not initialize class dev.onvoid.webrtc.logging.Logging");
        assertThat(WebRtcNative.unavailable(later)).hasMessageContaining("failed to load earlier in this JVM")
                .hasCause(later);
        Throwable platform = new RuntimeException("Load library 'webrtc-java' failed", new IllegalStateException("no build"));
        assertThat(WebRtcNative.unavailable(platform)).hasMessageContaining("no build").hasCause(platform);
    }
}
