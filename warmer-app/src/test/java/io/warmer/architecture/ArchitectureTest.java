package io.warmer.architecture;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * The packages form layers, each using only those below it (docs/design.md, "Layers"):
 * connectors (change, capture) → configuration (config, family) → adapters (topology, sink, redis) → the service's
 * parts → service → monitoring (monitor, http, metrics) → runtime → entry points (cli, demo). No package cycles, and
 * an {@code internal} package is used only by the package it belongs to.
 */
@AnalyzeClasses(packages = "io.warmer", importOptions = {ImportOption.DoNotIncludeTests.class, ArchitectureTest.ProductionOnly.class})
class ArchitectureTest {

    private static final String[] LAYERS = {"Connectors", "Configuration", "Adapters", "Parts", "Service", "Monitoring",
            "Runtime", "Entry points"};

    @ArchTest
    static final ArchRule packagesFormLayers = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("Connectors").definedBy("io.warmer.change..", "io.warmer.capture..", "io.warmer.concurrent..", "io.warmer.kafka..")
            .layer("Configuration").definedBy("io.warmer.config..", "io.warmer.family..", "io.warmer.expression..")
            .layer("Adapters").definedBy("io.warmer.topology..", "io.warmer.sink..", "io.warmer.redis..")
            .layer("Parts").definedBy("io.warmer.verify..", "io.warmer.guard..", "io.warmer.status..",
                    "io.warmer.backfill..", "io.warmer.rewarm..", "io.warmer.sweep..", "io.warmer.migrate..")
            .layer("Service").definedBy("io.warmer.service..")
            .layer("Monitoring").definedBy("io.warmer.monitor..", "io.warmer.http..", "io.warmer.metrics..")
            .layer("Runtime").definedBy("io.warmer.runtime..")
            .layer("Entry points").definedBy("io.warmer.cli..", "io.warmer.demo..", "io.warmer.embedded..",
                    "io.warmer.console..", "io.warmer.logging..")
            .whereLayer("Connectors").mayOnlyBeAccessedByLayers(above("Connectors"))
            .whereLayer("Configuration").mayOnlyBeAccessedByLayers(above("Configuration"))
            .whereLayer("Adapters").mayOnlyBeAccessedByLayers(above("Adapters"))
            .whereLayer("Parts").mayOnlyBeAccessedByLayers(above("Parts"))
            .whereLayer("Service").mayOnlyBeAccessedByLayers(above("Service"))
            .whereLayer("Monitoring").mayOnlyBeAccessedByLayers(above("Monitoring"))
            .whereLayer("Runtime").mayOnlyBeAccessedByLayers(above("Runtime"))
            .whereLayer("Entry points").mayNotBeAccessedByAnyLayer();

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.warmer.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule internalPackagesStayInside = classes().should(useNoInternalPackageOfAnother());

    @ArchTest
    static final ArchRule kafkaStreamsInternalsOnlyFromInternalPackages = noClasses()
            .that().resideOutsideOfPackage("io.warmer..internal..")
            .should().dependOnClassesThat().resideInAPackage("org.apache.kafka.streams..internals..")
            .because("Kafka Streams' internals change without notice: sink.internal holds the one use, checked"
                    + " against the verified version at start-up");

    @ArchTest
    static final ArchRule redisClientsOnlyInTheRedisLayer = noClasses()
            .that().resideOutsideOfPackage("io.warmer.redis..")
            .should().dependOnClassesThat().haveFullyQualifiedName("io.lettuce.core.RedisClient")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("io.lettuce.core.cluster.RedisClusterClient")
            .orShould().dependOnClassesThat().resideInAPackage("io.lettuce.core.resource..")
            .because("io.warmer.redis.Redis is the one place that creates Lettuce clients: one ClientResources per"
                    + " process, standalone or cluster chosen once");

    @ArchTest
    static final ArchRule kafkaClientsOnlyFromKafkaClients = noClasses()
            .that().resideOutsideOfPackages("io.warmer.kafka..", "io.warmer.embedded..")
            .should().callConstructorWhere(target(owner(assignableTo(KafkaProducer.class)
                    .or(assignableTo(KafkaConsumer.class)))))
            .orShould().callMethodWhere(target(owner(assignableTo(Admin.class))).and(target(name("create"))))
            .because("io.warmer.kafka.KafkaClients is the one place that creates Kafka clients, so that every one"
                    + " connects with kafka.security and kafka.properties");

    private static String[] above(String layer) {
        for (int i = 0; i < LAYERS.length; i++) {
            if (LAYERS[i].equals(layer)) {
                return java.util.Arrays.copyOfRange(LAYERS, i + 1, LAYERS.length);
            }
        }
        throw new IllegalArgumentException(layer);
    }

    /** A class outside {@code a.b} may not use {@code a.b.internal..}. */
    private static ArchCondition<JavaClass> useNoInternalPackageOfAnother() {
        return new ArchCondition<>("use no internal package but their own package's") {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
                    String target = dependency.getTargetClass().getPackageName();
                    int internal = target.indexOf(".internal");
                    if (!target.startsWith("io.warmer.") || internal < 0) {
                        continue;
                    }
                    String owner = target.substring(0, internal);
                    String from = origin.getPackageName();
                    if (!from.equals(owner) && !from.startsWith(owner + ".")) {
                        events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()));
                    }
                }
            }
        };
    }

    /** Warmer's own production classes: not the test kit, whose jar is on the test classpath. */
    static final class ProductionOnly implements ImportOption {
        @Override
        public boolean includes(com.tngtech.archunit.core.importer.Location location) {
            return !location.contains("warmer-testkit") && !location.contains("/io/warmer/testkit/")
                    && !location.contains("warmer-bench");
        }
    }
}
