package io.pcmtrack.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import org.junit.jupiter.api.Test;

/** Whole-JVM behaviour, in child JVMs: exiting after a call, and a missing native library. */
public class ProcessLifecycleTest {

    @Test
    void theJvmExitsByItselfAfterACallIsClosed() throws Exception {
        Result r = run(classPath(), "call");
        System.out.printf("child JVM (call) exited with %d in %d ms%n", r.exitCode, r.millis);
        assertThat(r.exitCode).as("exit code; output:%n%s", r.output).isZero();
        assertThat(r.output).contains(LoopbackExitMain.DONE);
        assertThat(r.output).doesNotContain("loud samples received: 0");
    }

    @Test
    void withoutTheNativeJarOpeningACallFailsWithAClearExceptionEveryTime() throws Exception {
        List<String> cp = new ArrayList<>();
        for (String entry : classPath()) {
            if (!entry.contains("webrtc-java-" + WebRtcNative.WEBRTC_JAVA_VERSION + "-")) {
                cp.add(entry);
            }
        }
        assertThat(cp).hasSizeLessThan(classPath().size());
        Result r = run(cp, "open");
        System.out.printf("child JVM (no native jar) exited with %d in %d ms:%n%s", r.exitCode, r.millis, r.output);
        assertThat(r.exitCode).as("exit code; output:%n%s", r.output).isZero();
        for (int i = 0; i < 2; i++) {
            assertThat(r.output).contains("attempt " + i + ": WebRtcUnavailableException: libwebrtc native library '"
                    + WebRtcNative.expectedResource() + "' is not on the class path: add dev.onvoid.webrtc:webrtc-java:0.14.0");
        }
        assertThat(r.output).contains(LoopbackExitMain.DONE);
    }

    private record Result(int exitCode, long millis, String output) {
    }

    private static Result run(List<String> classPath, String mode) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", String.join(File.pathSeparator, classPath),
                LoopbackExitMain.class.getName(), mode);
        pb.redirectErrorStream(true);
        long t0 = System.nanoTime();
        Process p = pb.start();
        p.getOutputStream().close();
        byte[][] out = new byte[1][];
        Thread reader = new Thread(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = e.toString().getBytes(StandardCharsets.UTF_8);
            }
        });
        reader.start();
        boolean exited = p.waitFor(60, TimeUnit.SECONDS);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        if (!exited) {
            p.destroyForcibly();
        }
        reader.join(5_000);
        String output = out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8);
        assertThat(exited).as("child JVM exited within 60 s; output so far:%n%s", output).isTrue();
        return new Result(p.exitValue(), millis, output);
    }

    /**
     * This JVM's class path as a list of entries; Surefire's manifest-only booter jar is expanded
     * into the entries its manifest lists.
     */
    public static List<String> classPath() throws IOException {
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            File f = new File(e);
            String manifestCp = null;
            if (f.isFile() && e.endsWith(".jar")) {
                try (JarFile jar = new JarFile(f)) {
                    if (jar.getManifest() != null) {
                        manifestCp = jar.getManifest().getMainAttributes().getValue("Class-Path");
                    }
                }
            }
            if (manifestCp == null || jar(f)) {
                entries.add(e);
                continue;
            }
            URL base = f.toURI().toURL();
            for (String u : manifestCp.trim().split("\\s+")) {
                try {
                    entries.add(Path.of(new URL(base, u).toURI()).toString());
                } catch (java.net.URISyntaxException ex) {
                    throw new IOException("bad Class-Path entry " + u, ex);
                }
            }
        }
        return entries;
    }

    /** True for an ordinary jar (one with classes), false for a manifest-only booter jar. */
    private static boolean jar(File f) throws IOException {
        try (JarFile jar = new JarFile(f)) {
            return jar.stream().anyMatch(entry -> entry.getName().endsWith(".class"));
        }
    }
}
