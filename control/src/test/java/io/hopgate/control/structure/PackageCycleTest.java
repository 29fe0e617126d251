package io.hopgate.control.structure;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import io.hopgate.control.Main;
import io.hopgate.media.MediaPlane;
import io.hopgate.rtp.RtpHeader;
import java.net.URL;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No package of the main code of rtp, media-plane and control may depend on itself through other packages.
 * The classes come from where the three modules' main classes were loaded (their target/classes or their jars), so
 * test classes, which may reach across packages freely, are not part of the graph.
 */
class PackageCycleTest {
    /** Every package below io.hopgate is its own slice: io.hopgate.control and io.hopgate.control.sip are two. */
    private static final ArchRule NO_PACKAGE_CYCLE = slices().matching("io.hopgate.(**)").should().beFreeOfCycles();

    static JavaClasses mainClasses() {
        List<Location> locations = Stream.of(Main.class, MediaPlane.class, RtpHeader.class)
            .map(PackageCycleTest::codeSource)
            .map(Location::of)
            .collect(Collectors.toList());
        return new ClassFileImporter().importLocations(locations);
    }

    private static URL codeSource(Class<?> type) {
        return type.getProtectionDomain().getCodeSource().getLocation();
    }

    @Test
    void shouldFindNoCycleBetweenPackagesOfRtpMediaPlaneAndControl() {
        JavaClasses classes = mainClasses();
        // A scan that found nothing would pass every rule: make sure all three modules were read.
        assertThat(classes.containPackage("io.hopgate.rtp")).as("rtp classes imported").isTrue();
        assertThat(classes.containPackage("io.hopgate.media")).as("media-plane classes imported").isTrue();
        assertThat(classes.containPackage("io.hopgate.control.sip")).as("control classes imported").isTrue();
        NO_PACKAGE_CYCLE.check(classes);
    }

    @Test
    void shouldReportACycleWhenTwoPackagesImportEachOther() {
        // The rule must be able to fail: the fixture has cycle.a.Ping -> cycle.b.Pong -> cycle.a.Ping.
        JavaClasses fixture = new ClassFileImporter().importPackages("io.hopgate.control.structure.cycle");
        EvaluationResult result = slices().matching("io.hopgate.control.structure.cycle.(*)..")
            .should().beFreeOfCycles().evaluate(fixture);
        assertThat(result.hasViolation()).as("cycle.a <-> cycle.b reported").isTrue();
        assertThat(result.getFailureReport().toString()).contains("Ping", "Pong");
    }
}
