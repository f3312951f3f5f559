package io.pcmtrack.webrtc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import dev.onvoid.webrtc.internal.NativeObject;
import dev.onvoid.webrtc.internal.RefCountedObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives back the libwebrtc references that webrtc-java 0.14.0 takes for a Java object and never
 * releases. Its JNI code hands each of these to Java with {@code scoped_refptr::release()}, so the
 * Java object owns one reference, but no Java method drops it:
 * <ul>
 * <li>{@code RTCPeerConnection}: {@code PeerConnectionFactory.createPeerConnection}
 *     ({@code JNI_PeerConnectionFactory.cpp}) keeps {@code pc.release()} in the handle, and
 *     {@code RTCPeerConnection.close} ({@code JNI_RTCPeerConnection.cpp}) calls {@code Close()}
 *     and clears the handle without {@code Release()}: the closed connection (descriptions,
 *     transceivers, stats collector and its reference to the factory's threads) is never freed;</li>
 * <li>the {@code RTCRtpSender} returned by {@code addTrack} and the {@code RTCRtpTransceiver}
 *     returned by {@code addTransceiver} (same file, {@code sender.release()},
 *     {@code transceiver.release()}).</li>
 * </ul>
 * (Objects from {@code getSenders}, {@code getTransceivers}, {@code getSender}, {@code getReceiver}
 * and {@code getTrack} hold no reference and must not be released.) The reference is dropped
 * through webrtc-java's own {@code RefCountedObject.release} (its {@code JNI_RefCountedObject.cpp}:
 * {@code Release()} on the handle, which every libwebrtc interface starts with).
 *
 * <p>Needs access to webrtc-java's {@code internal} package, which it has when webrtc-java is on
 * the class path; on the module path (not exported) nothing is released and a warning says so.
 */
final class NativeReferences {
    private static final Logger LOG = LoggerFactory.getLogger(NativeReferences.class);
    private static final VarHandle HANDLE = handleField();

    private NativeReferences() {
    }

    private static VarHandle handleField() {
        try {
            return MethodHandles.privateLookupIn(NativeObject.class, MethodHandles.lookup())
                    .findVarHandle(NativeObject.class, "nativeHandle", long.class);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // LOG is initialised before HANDLE (declaration order).
            LOG.warn("cannot reach webrtc-java's native handles ({}):"
                    + " every closed peer connection keeps about 90 KB of native memory; put webrtc-java on the"
                    + " class path", e.toString());
            return null;
        }
    }

    /** True if references can be released (webrtc-java's internals are reachable). */
    static boolean available() {
        return HANDLE != null;
    }

    /** The native pointer a webrtc-java object holds, 0 if none or unreachable. */
    static long handleOf(Object nativeObject) {
        return HANDLE == null || nativeObject == null ? 0 : (long) HANDLE.get(nativeObject);
    }

    /**
     * Drops one reference to the libwebrtc object at {@code handle}.
     *
     * @return true if it was the last one (the object is freed), false if others remain or nothing
     *         could be released
     */
    static boolean release(long handle) {
        if (HANDLE == null || handle == 0) {
            return false;
        }
        Reference r = new Reference();
        HANDLE.set(r, handle);
        r.release();
        // webrtc-java clears the handle when Release() reports that the last reference was dropped.
        return (long) HANDLE.get(r) == 0;
    }

    /** A bare owner of one reference, to reach webrtc-java's release on any handle. */
    private static final class Reference extends RefCountedObject {
    }
}
