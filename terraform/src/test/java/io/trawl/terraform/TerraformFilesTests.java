package io.trawl.terraform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TerraformFilesTests {

	private final TerraformConfig tf = TerraformConfig.stack();

	@Test
	void everyTerraformFileParses() {
		assertThat(tf.errors()).isEmpty();
		assertThat(tf.files()).contains("main.tf", "variables.tf", "outputs.tf", "versions.tf");
		assertThat(tf.modules()).containsAll(List.of("", "modules/network", "modules/storage", "modules/tables",
				"modules/queues", "modules/database", "modules/compute", "modules/alb", "modules/pipeline",
				"modules/monitoring", "modules/scheduler", "modules/iam", "modules/identity"));
	}

	@Test
	void aFileThatDoesNotParseIsReportedByName(@TempDir Path dir) throws IOException {
		Files.writeString(dir.resolve("good.tf"), "variable \"a\" {\n  type = string\n}\n");
		Files.createDirectories(dir.resolve("modules/x"));
		Files.writeString(dir.resolve("modules/x/broken.tf"), "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \n");

		TerraformConfig parsed = TerraformConfig.parse(dir);

		assertThat(parsed.files()).containsExactly("good.tf");
		assertThat(parsed.errors()).containsOnlyKeys("modules/x/broken.tf");
	}

	@Test
	void aMissingNpmPackageSaysToRunNpmCi() {
		assertThatThrownBy(() -> NodeScript.requirePackage("@trawl/not-installed")).isInstanceOf(AssertionError.class)
			.hasMessageContaining("Run 'npm ci' at the repository root");
	}

	@Test
	void referencesResolve() {
		assertThat(ReferencePolicies.referencesResolve(tf)).isEmpty();
	}

	@Test
	void moduleCallsMatchTheirModules() {
		assertThat(ReferencePolicies.moduleCallsMatchTheirModules(tf)).isEmpty();
	}

	@Test
	void everyModuleDeclaresItsProvider() {
		assertThat(ReferencePolicies.everyModuleDeclaresItsProvider(tf)).isEmpty();
	}
}
