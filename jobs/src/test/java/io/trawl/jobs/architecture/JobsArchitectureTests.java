package io.trawl.jobs.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The jobs module's feature packages, checked: no cycles, and the shared vocabularies depend on no feature. */
@AnalyzeClasses(packages = "io.trawl.jobs", importOptions = ImportOption.DoNotIncludeTests.class)
class JobsArchitectureTests {

	@ArchTest
	static final ArchRule noCyclesBetweenFeaturePackages = slices().matching("io.trawl.jobs.(*)..")
		.should()
		.beFreeOfCycles()
		.because("a feature package that needs another's internals belongs with it, or needs a port between them");

	@ArchTest
	static final ArchRule problemsKnowNoFeature = standsAlone("io.trawl.jobs.problem..")
		.because("one owner decides what is the caller's error for the CLI, REST and SQS, and each of them uses it");

	@ArchTest
	static final ArchRule auditKnowsNoFeature = standsAlone("io.trawl.jobs.audit..")
		.because("every feature writes its audit lines through it");

	@ArchTest
	static final ArchRule containmentKnowsNoFeature = standsAlone("io.trawl.jobs.containment..")
		.because("crash containment is one place (docs/crash-containment.md) that the job, the analysis and the "
				+ "command line use, never the other way round");

	@ArchTest
	static final ArchRule theSupervisorUsesOnlyTheJdk = classes().that()
		.haveNameMatching("io\\.trawl\\.jobs\\.containment\\.Supervisor(\\$.*)?")
		.should()
		.onlyDependOnClassesThat(resideInAnyPackage("java..", "sun.misc..")
			.or(nameMatching("\\[*L?io\\.trawl\\.jobs\\.containment\\.Supervisor(\\$[^;]*)?;?"))) // its own arrays too
		.because("it runs before any Spring class loads, so that a job command's supervising JVM starts at once");

	@ArchTest
	static final ArchRule onlyTheAwsProfilePackagesUseTheAwsSdk = noClasses().that()
		.resideInAnyPackage("io.trawl.jobs.web..", "io.trawl.jobs.security..", "io.trawl.jobs.status..",
				"io.trawl.jobs.local..", "io.trawl.jobs.schedule..", "io.trawl.jobs.containment..")
		.should()
		.dependOnClassesThat()
		.resideInAPackage("software.amazon.awssdk..")
		.because("the embedded default runs without AWS; its features reach AWS only through ports (problem may "
				+ "name the SDK's exceptions: it decides which of them a retry may cure)");

	/** Classes of {@code packages} that use no other class of the jobs module. */
	private static ArchRule standsAlone(String packages) {
		return noClasses().that()
			.resideInAPackage(packages)
			.should()
			.dependOnClassesThat(resideInAPackage("io.trawl.jobs..").and(not(resideInAPackage(packages))));
	}
}
