package io.pcmtrack.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs teardown steps in order; a step that fails is logged and the next one still runs. */
final class Teardown {
    private static final Logger LOG = LoggerFactory.getLogger(Teardown.class);

    private final Object owner;

    Teardown(Object owner) {
        this.owner = owner;
    }

    Teardown step(String what, Object resource, Runnable action) {
        if (resource == null) {
            return this;
        }
        try {
            action.run();
        } catch (RuntimeException | Error e) {
            LOG.warn("{}: teardown step '{}' failed; going on with the next", owner, what, e);
        }
        return this;
    }
}
