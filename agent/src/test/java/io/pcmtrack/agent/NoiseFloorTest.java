package io.pcmtrack.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;

import org.junit.jupiter.api.Test;

class NoiseFloorTest {

    @Test
    void theFloorIsTheMinimumOfTheLastWindows() {
        Random random = new Random(3);
        for (int capacity : new int[] {1, 2, 7, 300}) {
            NoiseFloor floor = new NoiseFloor(capacity);
            double[] levels = new double[3_000];
            for (int i = 0; i < levels.length; i++) {
                // runs that rise, fall and repeat, so that both ends of the ring are exercised
                levels[i] = i % 500 < 250 ? -90 + (i % 250) * 0.2 + random.nextInt(3) : -20 - (i % 250) * 0.1;
                double expected = Double.MAX_VALUE;
                for (int j = Math.max(0, i - capacity + 1); j <= i; j++) {
                    expected = Math.min(expected, levels[j]);
                }
                assertThat(floor.add(levels[i])).as("window %d, capacity %d", i, capacity).isEqualTo(expected);
            }
        }
    }
}
