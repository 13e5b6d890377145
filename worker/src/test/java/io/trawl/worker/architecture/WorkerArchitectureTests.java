package io.trawl.worker.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import java.util.Set;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

/** The package boundaries of the worker module, checked on its production classes. */
@AnalyzeClasses(packages = "io.trawl.worker", importOptions = ImportOption.DoNotIncludeTests.class)
class WorkerArchitectureTests {

	/** Packages under {@code analysis} that hold what several analyzers share; every other one is one analyzer. */
	static final Set<String> SHARED = Set.of("bytes");

	/** Each analyzer's package, {@code io.trawl.worker.analysis.<name>} and YARA's, is one slice; the rest none. */
	static final SliceAssignment ANALYZERS = new SliceAssignment() {

		@Override
		public SliceIdentifier getIdentifierOf(JavaClass type) {
			String analyzer = analyzerOf(type);
			return analyzer == null ? SliceIdentifier.ignore() : SliceIdentifier.of(analyzer);
		}

		@Override
		public String getDescription() {
			return "analyzer packages (io.trawl.worker.analysis.<name>, io.trawl.worker.yara)";
		}
	};

	static final DescribedPredicate<JavaClass> AN_ANALYZER = DescribedPredicate
		.describe("belong to an analyzer (io.trawl.worker.analysis.<name>, io.trawl.worker.yara)",
				type -> analyzerOf(type) != null);

	@ArchTest
	static final ArchRule analyzersDoNotDependOnEachOther = slices().assignedFrom(ANALYZERS)
		.should()
		.notDependOnEachOther()
		.because("an analyzer is added or removed alone; what two of them share lives in a shared package");

	@ArchTest
	static final ArchRule isolationKnowsNoAnalyzerByName = noClasses().that()
		.resideInAPackage("io.trawl.worker.isolation..")
		.should()
		.dependOnClassesThat(AN_ANALYZER)
		.because("a native host recreates any analyzer from its Analyzer.spec(), so a new one needs no case there");

	@ArchTest
	static final ArchRule samplePortKnowsNoAdapter = noClasses().that()
		.resideInAPackage("io.trawl.worker.source")
		.should()
		.dependOnClassesThat()
		.resideInAPackage("io.trawl.worker.source.s3..")
		.because("adapters depend on the SampleSource port, never the reverse");

	@ArchTest
	static final ArchRule analysisKnowsNoSourceAdapter = noClasses().that()
		.resideInAPackage("io.trawl.worker.analysis..")
		.should()
		.dependOnClassesThat()
		.resideInAPackage("io.trawl.worker.source.s3..")
		.because("analyzers see a Sample, whichever store it came from");

	@ArchTest
	static final ArchRule noCyclesBetweenTopLevelPackages = slices().matching("io.trawl.worker.(*)..")
		.should()
		.beFreeOfCycles();

	@ArchTest
	static final ArchRule noCyclesBetweenPackages = slices().matching("io.trawl.worker.(**)")
		.should()
		.beFreeOfCycles();

	@ArchTest
	static final ArchRule workerStandsAlone = noClasses().that()
		.resideInAPackage("io.trawl.worker..")
		.should()
		.dependOnClassesThat()
		.resideInAnyPackage("io.trawl.readmodel..", "io.trawl.jobs..")
		.because("the jobs module wires worker and readmodel together; neither knows the other");

	/** The analyzer a class belongs to, or null for the analysis core, the shared packages and the rest. */
	static String analyzerOf(JavaClass type) {
		String name = type.getPackageName();
		if (name.equals("io.trawl.worker.yara") || name.startsWith("io.trawl.worker.yara.")) {
			return "yara";
		}
		String prefix = "io.trawl.worker.analysis.";
		if (!name.startsWith(prefix)) {
			return null;
		}
		String rest = name.substring(prefix.length());
		String first = rest.contains(".") ? rest.substring(0, rest.indexOf('.')) : rest;
		return SHARED.contains(first) ? null : first;
	}
}
