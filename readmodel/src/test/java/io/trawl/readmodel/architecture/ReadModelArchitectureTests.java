package io.trawl.readmodel.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The package boundaries of the read model, checked on its production classes. */
@AnalyzeClasses(packages = "io.trawl.readmodel", importOptions = ImportOption.DoNotIncludeTests.class)
class ReadModelArchitectureTests {

	@ArchTest
	static final ArchRule portsKnowNoAdapter = noClasses().that()
		.resideInAnyPackage("io.trawl.readmodel.event..", "io.trawl.readmodel.query..", "io.trawl.readmodel.manifest..")
		.should()
		.dependOnClassesThat()
		.resideInAnyPackage("io.trawl.readmodel.jdbc..", "io.trawl.readmodel.dynamodb..")
		.because("adapters depend on the EventStore, QueryTables and Manifests ports, never the reverse");

	@ArchTest
	static final ArchRule adaptersDoNotDependOnEachOther = slices().matching("io.trawl.readmodel.(jdbc|dynamodb)..")
		.should()
		.notDependOnEachOther()
		.because("each adapter is chosen alone by configuration");

	@ArchTest
	static final ArchRule noCyclesBetweenPackages = slices().matching("io.trawl.readmodel.(**)")
		.should()
		.beFreeOfCycles();

	@ArchTest
	static final ArchRule readModelStandsAlone = noClasses().that()
		.resideInAPackage("io.trawl.readmodel..")
		.should()
		.dependOnClassesThat()
		.resideInAnyPackage("io.trawl.worker..", "io.trawl.jobs..")
		.because("the jobs module wires worker and readmodel together; neither knows the other");
}
