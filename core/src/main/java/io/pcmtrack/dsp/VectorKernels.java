package io.pcmtrack.dsp;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The Vector API kernels ({@code VectorBlocks}), when this JVM can run them: it was started with
 * {@code --add-modules jdk.incubator.vector} (an incubator module up to at least JDK 25, so not there by
 * default) and the system property {@code io.pcmtrack.vector} is not {@code false}. {@code VectorBlocks} is
 * compiled apart, against the incubator module, and found here by name; nothing else in the library refers to
 * it, so without the module it is never loaded.
 */
final class VectorKernels {
    /**
     * Floats the history keeps past a channel's frames for the rows the block kernel computes past the ready
     * ones: fewer than two vectors (at most 15 rows with 256-bit vectors, 31 with 512-bit ones). The kernel is
     * not used with vectors wider than 512 bits, where its groups of four vectors would pass 64 rows.
     */
    static final int BLOCK_OVERRUN = 63;
    /** {@code VectorBlocks.phase}, or null: the block path then runs its class passes. */
    static final MethodHandle PHASE;
    /** {@code VectorBlocks.exact4} and {@code exact1}, or both null: the exact path then runs its scalar groups of four in double. */
    static final MethodHandle EXACT;
    static final MethodHandle EXACT1;

    static {
        MethodHandle phase = null;
        MethodHandle exact = null;
        MethodHandle exact1 = null;
        if (Boolean.parseBoolean(System.getProperty("io.pcmtrack.vector", "true"))
                && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            try {
                Class<?> kernels = Class.forName("io.pcmtrack.dsp.VectorBlocks", true, VectorKernels.class.getClassLoader());
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                int rows = kernels.getDeclaredField("ROWS").getInt(null);
                if (rows <= BLOCK_OVERRUN + 1 && PhaseBlocks.ROW_MULTIPLE % rows == 0) {
                    phase = lookup.findStatic(kernels, "phase", MethodType.methodType(void.class,
                            float[].class, int.class, int[].class, float[].class, int.class, float[].class, int.class));
                }
                if (kernels.getDeclaredField("EXACT").getBoolean(null)) {
                    exact = lookup.findStatic(kernels, "exact4", MethodType.methodType(void.class, float[].class, int.class,
                            int.class, int[].class, int.class, float[].class, int[].class, float[].class));
                    exact1 = lookup.findStatic(kernels, "exact1", MethodType.methodType(void.class, float[].class, int.class,
                            int[].class, int.class, float[].class, int.class, float[].class, int.class));
                }
            } catch (ReflectiveOperationException | LinkageError e) {
                phase = null;
                exact = null;
                exact1 = null;
            }
        }
        PHASE = phase;
        EXACT = exact;
        EXACT1 = exact1;
    }

    private VectorKernels() {
    }
}
