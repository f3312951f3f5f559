package io.pcmtrack.webrtc;

import java.util.Locale;

import dev.onvoid.webrtc.logging.Logging;

/**
 * Loads webrtc-java's native library once per JVM and turns its failure modes into one clear
 * {@link WebRtcUnavailableException}.
 *
 * <p>Why this exists: webrtc-java loads its library in static initializers, so a missing native jar
 * shows up as an {@code ExceptionInInitializerError} on first touch and as an unexplained
 * {@code NoClassDefFoundError} on every touch after it, and a missing system library
 * ({@code libpulse.so.0}) as an {@code UnsatisfiedLinkError} deep inside. {@link #ensureAvailable()}
 * checks the class path first, then touches the library once inside a catch-all, caches the
 * outcome, and installs the process-wide log bridge to SLF4J (see {@link NativeLog}).
 *
 * <p>Thread-safe; the first call takes about 300 ms (the library is extracted to a temporary
 * file and loaded), later calls a volatile read.
 */
public final class WebRtcNative {
    /** The webrtc-java version whose behaviour this module was measured against. */
    public static final String WEBRTC_JAVA_VERSION = "0.14.0";

    private static final Object LOCK = new Object();
    private static volatile Boolean available;
    private static WebRtcUnavailableException failure;

    private WebRtcNative() {
    }

    /**
     * Loads the native library if not done yet and installs the log bridge.
     *
     * @throws WebRtcUnavailableException if the library cannot be used on this platform; the
     *         same outcome on every call
     */
    public static void ensureAvailable() {
        if (Boolean.TRUE.equals(available)) {
            return;
        }
        synchronized (LOCK) {
            if (available == null) {
                try {
                    checkNativeResource(expectedResource(), WebRtcNative.class.getClassLoader());
                    // The first touch of Logging runs its static initializer, which loads the library.
                    Logging.logThreads(false);
                    NativeLog.install();
                    available = Boolean.TRUE;
                } catch (WebRtcUnavailableException e) {
                    failure = e;
                    available = Boolean.FALSE;
                } catch (Throwable t) {
                    failure = unavailable(t);
                    available = Boolean.FALSE;
                }
            }
            if (!available) {
                throw new WebRtcUnavailableException(failure.getMessage(), failure.getCause());
            }
        }
    }

    /** True if {@link #ensureAvailable()} succeeds (it is called if it was not yet). */
    public static boolean isAvailable() {
        try {
            ensureAvailable();
            return true;
        } catch (WebRtcUnavailableException e) {
            return false;
        }
    }

    /**
     * The class-path resource webrtc-java loads on this platform, e.g.
     * {@code libwebrtc-java-linux-x86_64.so}; named as webrtc-java's own loader names it.
     */
    public static String expectedResource() {
        return System.mapLibraryName("webrtc-java-" + osFamily() + "-" + osArch());
    }

    /**
     * Checks that {@code resource} (a native library packaged in a jar) can be found by
     * {@code loader}, without loading anything.
     *
     * @throws WebRtcUnavailableException naming the resource and the artifact to add if it is missing
     */
    public static void checkNativeResource(String resource, ClassLoader loader) {
        ClassLoader l = loader != null ? loader : ClassLoader.getSystemClassLoader();
        if (l.getResource(resource) == null) {
            throw new WebRtcUnavailableException("libwebrtc native library '" + resource
                    + "' is not on the class path: add dev.onvoid.webrtc:webrtc-java:" + WEBRTC_JAVA_VERSION
                    + " with classifier " + osFamily() + "-" + osArch() + " (only linux-x86_64 is built and tested by"
                    + " pcmtrack; os.name=" + System.getProperty("os.name") + ", os.arch=" + System.getProperty("os.arch")
                    + ")", null);
        }
    }

    /**
     * Translates what loading the library threw into the exception callers get, with the fix in
     * its message.
     */
    static WebRtcUnavailableException unavailable(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String detail = String.valueOf(root.getMessage());
        if (root instanceof NoClassDefFoundError) {
            return new WebRtcUnavailableException("libwebrtc native library failed to load earlier in this JVM ("
                    + detail + "); the first failure has the cause", t);
        }
        if (root instanceof LinkageError) {
            String hint = detail.contains("libpulse")
                    ? "install libpulse0 (Debian/Ubuntu: apt-get install libpulse0); the library links against libpulse.so.0"
                    : "a shared library it needs is missing: install libpulse0 (Debian/Ubuntu) and check the message";
            return new WebRtcUnavailableException("libwebrtc native library failed to load: " + detail + "; " + hint, t);
        }
        return new WebRtcUnavailableException("libwebrtc native library failed to load on " + System.getProperty("os.name")
                + "/" + System.getProperty("os.arch") + ": " + t + (root != t ? " caused by " + root : ""), t);
    }

    private static String osFamily() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.startsWith("mac os")) {
            return "macos";
        }
        if (os.startsWith("windows")) {
            return "windows";
        }
        return os.startsWith("linux") ? "linux" : os;
    }

    private static String osArch() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64", "x86-64" -> "x86_64";
            case "arm64", "aarch64" -> "aarch64";
            default -> arch;
        };
    }
}
