package io.pcmtrack;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the frames of many tracks to their {@link FrameSink}s from a few threads: the push
 * counterpart of {@link AudioStreamTrack#recv}, for servers with thousands of calls.
 *
 * <p>Each attached track is served by one scheduler thread. A thread keeps its tracks ordered by
 * next due time, sleeps on the {@link MediaClock} until the earliest is due, then takes every due
 * frame exactly as {@code recv} would (same pts, silence, padding, stats) and hands it to the
 * sink. Per frame: a constant-time step through a ring in due order (a heap sift for a track out
 * of that order), one copy into a reusable frame, no allocation, and no lock held while the sink
 * runs.
 *
 * <p>{@link #attach} and {@link Attachment#close()} may be called at any time from any thread. A
 * track has one consumer at a time: while attached, its {@code recv} throws. A stopped track is
 * detached when its next frame comes due. Sink exceptions are logged (SLF4J) and counted; the
 * track keeps its schedule. A track built with {@code maxCatchUp} skips ahead after a stall of
 * the scheduler thread instead of delivering every missed frame at once.
 *
 * <p>Threads: a worker's heap is touched only by that worker's thread (or, for a manual
 * scheduler, by the thread that drives it); other threads reach a worker only through its inbox
 * and volatile flags. Each worker detaches its own tracks when it ends.
 *
 * <p>{@link #manual(MediaClock)} makes a scheduler without threads whose {@link #runDue()} the
 * caller drives, for deterministic tests with a {@link VirtualClock} or for an existing event loop.
 */
public final class FrameScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FrameScheduler.class);
    private static final long ERROR_LOG_INTERVAL_NANOS = 10_000_000_000L;
    /**
     * How many ring entries ahead the worker starts loading a track's state: the attachment this
     * far ahead, its buffer and pacer half as far (see {@link Worker#prefetch}).
     */
    private static final int PREFETCH_DISTANCE = 8;
    private static final VarHandle DELIVERED;
    private static final VarHandle DELIVERING;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            DELIVERED = lookup.findVarHandle(Worker.class, "delivered", long.class);
            DELIVERING = lookup.findVarHandle(Worker.class, "delivering", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MediaClock clock;
    private final Worker[] workers;
    private final boolean manual;
    private final AtomicInteger attached = new AtomicInteger();
    private volatile boolean closed;

    /** One scheduler thread. */
    public FrameScheduler(MediaClock clock) {
        this(clock, 1);
    }

    /**
     * @param clock   the clock every attached track should also be built with
     * @param threads scheduler threads, 1..256; tracks are spread over them
     */
    public FrameScheduler(MediaClock clock, int threads) {
        this(clock, threads, false);
    }

    private FrameScheduler(MediaClock clock, int threads, boolean manual) {
        this.clock = Objects.requireNonNull(clock, "clock");
        if (threads < 1 || threads > 256) {
            throw new IllegalArgumentException("threads must be 1..256, got " + threads);
        }
        this.manual = manual;
        this.workers = new Worker[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = new Worker();
        }
        if (!manual) {
            for (int i = 0; i < threads; i++) {
                Thread t = new Thread(workers[i]::run, "pcmtrack-scheduler-" + i);
                t.setDaemon(true);
                t.setPriority(Thread.MAX_PRIORITY);
                workers[i].thread = t;
                t.start();
            }
        }
    }

    /** A scheduler without threads: frames are delivered only when the caller calls {@link #runDue()}. */
    public static FrameScheduler manual(MediaClock clock) {
        return new FrameScheduler(clock, 1, true);
    }

    /**
     * Starts delivering {@code track}'s frames to {@code sink}. The first frame is due at once if
     * the track has not been received from before; otherwise the track keeps its schedule.
     *
     * @return the handle whose {@link Attachment#close()} detaches the track
     * @throws IllegalStateException if the track is already attached, or the scheduler is closed
     * @throws TrackEndedException   if the track was stopped
     */
    public Attachment attach(AudioStreamTrack track, FrameSink sink) {
        Objects.requireNonNull(track, "track");
        Objects.requireNonNull(sink, "sink");
        if (closed) {
            throw new IllegalStateException("scheduler is closed");
        }
        if (!track.isLive()) {
            throw new TrackEndedException("track " + track.id() + " has been stopped");
        }
        if (!track.claimConsumer()) {
            throw new IllegalStateException("track " + track.id() + " is already attached to a scheduler");
        }
        Worker worker = workers[0];
        for (Worker w : workers) {
            if (w.load.get() < worker.load.get()) {
                worker = w;
            }
        }
        Attachment a = new Attachment(this, worker, track, sink);
        // Anchored here, not when the thread picks it up: the first frame is due at attach time.
        a.due = track.dueNanos(clock.nanoTime());
        worker.load.incrementAndGet();
        attached.incrementAndGet();
        worker.inbox.add(a);
        if (closed && worker.inbox.remove(a)) {
            // close() raced us and its workers may have drained their inboxes for the last time.
            a.close();
            throw new IllegalStateException("scheduler is closed");
        }
        // Otherwise a worker has it, and detaches it when it ends if close() won the race.
        worker.wake();
        return a;
    }

    /**
     * Delivers every frame due now, on the calling thread; for a {@link #manual} scheduler.
     *
     * @return frames delivered
     */
    public int runDue() {
        if (!manual) {
            throw new IllegalStateException("runDue() is for a manual scheduler; this one has its own threads");
        }
        return workers[0].runDue();
    }

    /**
     * Due time of the earliest frame (clock nanos), or {@code Long.MAX_VALUE} if nothing is
     * attached. On a manual scheduler, call it from the thread that calls {@link #runDue()}; on a
     * threaded one it reads what the workers last published (a tracked attached since may be
     * due earlier). Called from a sink of a manual scheduler, it takes in no new attachment: the
     * one being served must stay where it is until it is put back, and the next
     * {@link #runDue()} takes them in.
     */
    public long nextDueNanos() {
        if (manual) {
            Worker w = workers[0];
            if (w.delivering == 0) {
                w.acceptAttachments();
            }
            return w.earliest();
        }
        long earliest = Long.MAX_VALUE;
        for (Worker w : workers) {
            earliest = Math.min(earliest, w.earliestDue);
        }
        return earliest;
    }

    /** Attachment slots the workers have ever taken, free ones included (tests). */
    int slotsUsed() {
        int n = 0;
        for (Worker w : workers) {
            n += w.slotsUsed;
        }
        return n;
    }

    public SchedulerStats stats() {
        long delivered = 0;
        long errors = 0;
        LatencyHistogram merged = new LatencyHistogram();
        for (Worker w : workers) {
            delivered += w.delivered;
            errors += w.errors;
            merged.add(w.histogram);
        }
        return new SchedulerStats(attached.get(), delivered, errors, merged.percentile(50), merged.percentile(99),
                merged.max(), merged);
    }

    public MediaClock clock() {
        return clock;
    }

    /**
     * Stops the scheduler threads; each detaches its tracks as it ends (the tracks stay live).
     * Waits up to 5 s for them, not at all when called from a sink (the calling thread ends once
     * the sink returns). A manual scheduler detaches its tracks on the calling thread, which must
     * be the one that drives it.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Worker w : workers) {
            w.running = false;
            w.wake();
        }
        if (manual) {
            workers[0].detachAll();
            return;
        }
        for (Worker w : workers) {
            if (w.thread != Thread.currentThread()) {
                try {
                    w.thread.join(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
    }

    /** A track's place in the scheduler; {@link #close()} detaches it. */
    public static final class Attachment implements AutoCloseable {
        private static final VarHandle CLOSED;
        private static final AtomicLong SERIALS = new AtomicLong();

        static {
            try {
                CLOSED = MethodHandles.lookup().findVarHandle(Attachment.class, "closed", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final FrameScheduler scheduler;
        private final Worker worker;
        /** Unique, never 0: what the worker publishes in {@link Worker#delivering} (a long, not a reference). */
        private final long serial = SERIALS.incrementAndGet();
        private final AudioStreamTrack track;
        private final FrameSink sink;
        /** The worker's shared frame when the format matches, else the attachment's own; set by the worker. */
        private AudioFrame frame;
        /** The track's parts, held here so that a frame goes to them straight from the heap's entry. */
        private final Pacer pacer;
        private final FrameBuffer buffer;
        /** Set once by {@link #close()} (through {@link #CLOSED}); a field, not an AtomicBoolean: one object less per frame. */
        private volatile boolean closed;
        /** Due time of the first frame, set at attach; the worker's heap keeps it from then on. */
        private long due;
        /** Written by the worker only, read by {@link #sinkErrors()} from any thread. */
        private volatile long errors;
        private long lastErrorLog;

        private Attachment(FrameScheduler scheduler, Worker worker, AudioStreamTrack track, FrameSink sink) {
            this.scheduler = scheduler;
            this.worker = worker;
            this.track = track;
            this.sink = sink;
            this.pacer = track.pacer();
            this.buffer = track.buffer();
        }

        public AudioStreamTrack track() {
            return track;
        }

        /** False once closed, or once the scheduler noticed the track stopped. */
        public boolean isAttached() {
            return !closed;
        }

        /** Sink calls that threw. */
        public long sinkErrors() {
            return errors;
        }

        /**
         * Detaches the track: once this returns, no frame of it is taken or delivered again
         * (unless called from the sink itself, whose current call of course completes). The
         * track stays live and may be received from or attached again. Idempotent.
         */
        @Override
        public void close() {
            if (!CLOSED.compareAndSet(this, false, true)) {
                return;
            }
            // Handshake with Worker.runDue: the worker publishes `delivering` before it reads
            // `closed`, and we wrote `closed` before reading `delivering` (both volatile). So
            // either the worker sees the close and takes nothing, or we see it delivering and wait:
            // the consumer claim is released only once no frame of this track is in flight.
            for (int spins = 0; worker.delivering == serial && Thread.currentThread() != worker.thread; spins++) {
                if (spins < 1_000) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(100_000);
                }
            }
            worker.load.decrementAndGet();
            scheduler.attached.decrementAndGet();
            track.releaseConsumer();
        }
    }

    /**
     * One scheduler thread: its attachments in due order, in two structures. Tracks of the same
     * frame duration come due again in the order they were served, so a served track usually
     * goes to the end of a ring that stays sorted: taking and putting back are then O(1) and walk
     * memory in order, where a binary heap of 10,000 tracks sifts each served track down 13
     * levels, a cache miss at most of them. A track whose next due time is earlier than the
     * ring's last (a new attachment, a skip after a stall, another frame duration) goes to a
     * binary heap instead. The earliest of both is served first.
     */
    private final class Worker {
        final ConcurrentLinkedQueue<Attachment> inbox = new ConcurrentLinkedQueue<>();
        final AtomicInteger load = new AtomicInteger();
        /** Written by this worker only; {@link FrameScheduler#stats()} reads it racily (monitoring). */
        final LatencyHistogram histogram = new LatencyHistogram();
        /**
         * This worker's attachments by slot. The ring and the heap hold slots, not references: a
         * served track goes back into the ring on every frame, and a reference stored there would
         * be a card for G1's concurrent refinement each time.
         */
        Attachment[] slots = new Attachment[64];
        /** Slots not in use, as a stack of {@code freeSlots} entries; grown with {@link #slots}. */
        int[] freeSlots = new int[64];
        int freeCount;
        /** Slots ever used: the next slot when none is free. */
        int slotsUsed;
        // Due times sit in arrays of their own, beside the slots: comparing them chases no pointer.
        /** The sorted ring: {@code ringSize} slots from {@code ringHead}, capacity a power of two. */
        int[] ring = new int[64];
        long[] ringDues = new long[64];
        int ringHead;
        int ringSize;
        /** Only keeps {@link #prefetch()}'s loads alive. */
        private long prefetched;
        /** The binary heap of slots, by due time. */
        int[] heap = new int[64];
        long[] dues = new long[64];
        int size;
        /**
         * One frame serves every attachment of the same format: a frame is valid only during its
         * sink call, and a hot frame beats 10,000 cold ones.
         */
        AudioFrame sharedFrame;
        volatile boolean running = true;
        /**
         * The {@link Attachment#serial} of the attachment whose frame is being taken and delivered,
         * or 0; see {@link Attachment#close()}. A serial rather than a reference: a reference
         * stored on every frame is a card for G1's concurrent refinement each time.
         */
        volatile long delivering;
        /** Due time of the earliest frame after the last pass, for {@link FrameScheduler#nextDueNanos()}. */
        volatile long earliestDue = Long.MAX_VALUE;
        /** Written by this worker only, with a release store (no fence per frame); read by stats(). */
        volatile long delivered;
        volatile long errors;
        /** The thread that runs this worker: its own, or for a manual scheduler the last caller of runDue. */
        volatile Thread thread;

        void run() {
            try {
                loop();
            } finally {
                detachAll();
            }
        }

        private void loop() {
            while (running) {
                runDue();
                if (!running) {
                    break;
                }
                long next = earliest();
                if (next == Long.MAX_VALUE) {
                    if (inbox.isEmpty()) {
                        LockSupport.park(this);
                    }
                } else {
                    try {
                        clock.sleepUntil(next);
                    } catch (InterruptedException e) {
                        if (!running) {
                            break;
                        }
                    }
                }
            }
        }

        /** Due time of the earliest frame, or {@code Long.MAX_VALUE} if nothing is attached. */
        long earliest() {
            long fromRing = ringSize == 0 ? Long.MAX_VALUE : ringDues[ringHead];
            long fromHeap = size == 0 ? Long.MAX_VALUE : dues[0];
            return Math.min(fromRing, fromHeap);
        }

        /** Detaches every track of this worker, its inbox included; on the worker's own thread. */
        void detachAll() {
            earliestDue = Long.MAX_VALUE;
            Attachment a;
            while ((a = inbox.poll()) != null) {
                a.close();
            }
            for (int i = 0; i < size; i++) {
                slots[heap[i]].close();
                freeSlot(heap[i]);
            }
            size = 0;
            while (ringSize > 0) {
                int slot = takeRingHead();
                slots[slot].close();
                freeSlot(slot);
            }
        }

        void wake() {
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }

        int runDue() {
            if (manual) {
                thread = Thread.currentThread();
            }
            acceptAttachments();
            int count = 0;
            long now = clock.nanoTime();
            while (true) {
                boolean inRing = ringSize > 0 && (size == 0 || ringDues[ringHead] <= dues[0]);
                if (inRing ? ringDues[ringHead] > now : size == 0 || dues[0] > now) {
                    break;
                }
                Attachment a = slots[inRing ? ring[ringHead] : heap[0]];
                delivering = a.serial; // before reading `closed`: see Attachment.close()
                if (a.closed || a.buffer.isStopped()) {
                    delivering = 0;
                    remove(inRing, a);
                    a.close();
                    continue;
                }
                // Applies the track's catch-up limit: after a stall the due time may move forward.
                long lateness = now - a.pacer.due(now);
                try {
                    a.buffer.fill(a.frame, a.pacer.pts());
                    a.pacer.emitted(lateness);
                } catch (TrackEndedException e) {
                    delivering = 0;
                    remove(inRing, a);
                    a.close();
                    continue;
                }
                if (inRing) {
                    prefetch();
                }
                // Read before the delivery ends: once it has, a close() may return and the track
                // go to another consumer, which moves its pacer on.
                long nextDue = a.pacer.nextDue();
                deliver(a);
                histogram.record(lateness);
                DELIVERED.setRelease(this, delivered + 1);
                count++;
                if (!running) {
                    break; // closed, perhaps from the sink, which for a manual scheduler has detached everything
                }
                reschedule(inRing, nextDue);
                now = clock.nanoTime();
            }
            earliestDue = earliest();
            return count;
        }

        /** Hands the frame to the sink; {@code delivering} is set and is cleared here. */
        private void deliver(Attachment a) {
            try {
                a.sink.onFrame(a.frame);
            } catch (RuntimeException | Error e) {
                if (e instanceof VirtualMachineError) {
                    throw e;
                }
                a.errors++;
                errors++;
                long now = System.nanoTime();
                if (a.errors == 1 || now - a.lastErrorLog > ERROR_LOG_INTERVAL_NANOS) {
                    a.lastErrorLog = now;
                    LOG.warn("sink of track {} threw ({} errors so far); the track keeps its schedule",
                            a.track.id(), a.errors, e);
                }
            } finally {
                // A release store: Attachment.close() only waits to see it; the fence is on the way in.
                DELIVERING.setRelease(this, 0L);
            }
        }

        /**
         * Starts the cache misses of the tracks served next, so that they overlap instead of
         * coming one after another: at 10,000 tracks a track's state is cold by the time its next
         * frame is due, and each of its objects (attachment, then buffer and pacer, then block)
         * can only be loaded once the one pointing to it has arrived. The ring is in due order,
         * so its next entries are the next to be served. The loaded values are summed into a
         * field only so that the loads are not optimized away.
         */
        private void prefetch() {
            if (ringSize <= PREFETCH_DISTANCE) {
                return;
            }
            int mask = ring.length - 1;
            Attachment soon = slots[ring[(ringHead + PREFETCH_DISTANCE / 2) & mask]];
            Attachment later = slots[ring[(ringHead + PREFETCH_DISTANCE) & mask]];
            prefetched += soon.buffer.prefetch() + soon.pacer.prefetch() + (later.buffer != null ? 1 : 0);
        }

        void acceptAttachments() {
            Attachment a;
            while ((a = inbox.poll()) != null) {
                if (a.closed) {
                    continue;
                }
                AudioStreamTrack t = a.track;
                if (sharedFrame == null) {
                    sharedFrame = AudioFrame.allocate(t.format(), t.samplesPerFrame());
                }
                a.frame = sharedFrame.fits(t.format(), t.samplesPerFrame()) ? sharedFrame
                        : AudioFrame.allocate(t.format(), t.samplesPerFrame());
                // Both structures get room for every track now, so that tracks moving between them
                // later (after a stall, say) never make the worker allocate.
                reserve(ringSize + size + 1);
                int slot = takeSlot(a);
                if (ringSize == 0 || a.due >= lastRingDue()) {
                    appendToRing(slot, a.due);
                } else {
                    addToHeap(slot, a.due);
                }
            }
        }

        /** Grows the ring, the heap and the slots to hold {@code tracks} each. */
        private void reserve(int tracks) {
            if (tracks > ring.length) {
                int capacity = Integer.highestOneBit(tracks - 1) << 1;
                int[] grownRing = new int[capacity];
                long[] grownDues = new long[capacity];
                for (int i = 0; i < ringSize; i++) {
                    int from = (ringHead + i) & (ring.length - 1);
                    grownRing[i] = ring[from];
                    grownDues[i] = ringDues[from];
                }
                ring = grownRing;
                ringDues = grownDues;
                ringHead = 0;
            }
            if (tracks > heap.length) {
                heap = java.util.Arrays.copyOf(heap, ring.length);
                dues = java.util.Arrays.copyOf(dues, ring.length);
            }
            if (tracks > slots.length) {
                slots = java.util.Arrays.copyOf(slots, ring.length);
                freeSlots = java.util.Arrays.copyOf(freeSlots, ring.length);
            }
        }

        /** A slot for a new attachment, which has room (see {@link #reserve}). */
        private int takeSlot(Attachment a) {
            int slot = freeCount > 0 ? freeSlots[--freeCount] : slotsUsed++;
            slots[slot] = a;
            return slot;
        }

        private void freeSlot(int slot) {
            slots[slot] = null;
            freeSlots[freeCount++] = slot;
        }

        /**
         * Removes the earliest attachment {@code a}, which is the ring's head if {@code inRing},
         * else the heap's top, for good: its slot is free again.
         */
        private void remove(boolean inRing, Attachment a) {
            int slot = inRing ? takeRingHead() : heap[0];
            if (!inRing) {
                removeTop();
            }
            assert slots[slot] == a;
            freeSlot(slot);
        }

        /** Puts the earliest attachment (just served) back with its next due time. */
        private void reschedule(boolean inRing, long due) {
            if (inRing) {
                int slot = takeRingHead();
                if (ringSize == 0 || due >= lastRingDue()) {
                    appendToRing(slot, due);
                } else {
                    addToHeap(slot, due);
                }
            } else if (ringSize == 0 || due >= lastRingDue()) {
                int slot = heap[0];
                removeTop();
                appendToRing(slot, due);
            } else {
                dues[0] = due;
                siftDown(0);
            }
        }

        private long lastRingDue() {
            return ringDues[(ringHead + ringSize - 1) & (ring.length - 1)];
        }

        /** Appends to the ring, which has room (see {@link #reserve}). */
        private void appendToRing(int slot, long due) {
            int tail = (ringHead + ringSize) & (ring.length - 1);
            ring[tail] = slot;
            ringDues[tail] = due;
            ringSize++;
        }

        private int takeRingHead() {
            int slot = ring[ringHead];
            ringHead = (ringHead + 1) & (ring.length - 1);
            ringSize--;
            return slot;
        }

        /** Adds to the heap, which has room (see {@link #reserve}). */
        private void addToHeap(int slot, long due) {
            heap[size] = slot;
            dues[size] = due;
            siftUp(size++);
        }

        private void removeTop() {
            size--;
            heap[0] = heap[size];
            dues[0] = dues[size];
            if (size > 0) {
                siftDown(0);
            }
        }

        private void siftUp(int i) {
            int a = heap[i];
            long due = dues[i];
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (dues[parent] <= due) {
                    break;
                }
                heap[i] = heap[parent];
                dues[i] = dues[parent];
                i = parent;
            }
            heap[i] = a;
            dues[i] = due;
        }

        private void siftDown(int i) {
            int a = heap[i];
            long due = dues[i];
            int half = size >>> 1;
            while (i < half) {
                int child = 2 * i + 1;
                int right = child + 1;
                if (right < size && dues[right] < dues[child]) {
                    child = right;
                }
                if (due <= dues[child]) {
                    break;
                }
                heap[i] = heap[child];
                dues[i] = dues[child];
                i = child;
            }
            heap[i] = a;
            dues[i] = due;
        }
    }
}
