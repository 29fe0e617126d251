package io.hopgate.control.h248;

import java.util.Map;

/** {@code Statistics { rtp/ps=120, nt/os=8640 }}; a null value is a statistic named without one (audit). */
public record StatisticsDescriptor(Map<String, String> statistics) implements Descriptor {
    public StatisticsDescriptor {
        statistics = Maps.copy(statistics);
    }
}
