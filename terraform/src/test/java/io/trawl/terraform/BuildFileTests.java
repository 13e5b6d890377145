package io.trawl.terraform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class BuildFileTests {

	@Test
	void workflowsValidate() {
		Path validator = NodeScript.requirePackage("@action-validator/cli").resolve("cli.mjs");
		List<Path> workflows = BuildFilePolicies.workflows();
		assertThat(workflows).extracting(p -> p.getFileName().toString()).contains("ci.yml", "infra.yml");
		for (Path workflow : workflows) {
			NodeScript.Result result = NodeScript.run(NodeScript.REPOSITORY_ROOT, validator.toString(), workflow.toString());
			assertThat(result.exitCode()).as(workflow + " with action-validator: " + result.describe()).isZero();
		}
	}

	@Test
	void anInvalidWorkflowIsRejected(@TempDir Path dir) throws IOException {
		Path validator = NodeScript.requirePackage("@action-validator/cli").resolve("cli.mjs");
		Path workflow = dir.resolve("broken.yml");
		Files.writeString(workflow, "on: push\njobs:\n  test:\n    steps:\n      - run: ./trawl test\n");

		NodeScript.Result result = NodeScript.run(dir, validator.toString(), workflow.toString());

		assertThat(result.exitCode()).isEqualTo(1);
		assertThat(result.stderr()).contains("runs-on");
	}

	@Test
	void ciRunsTheTestsOnJdk17And25() {
		assertThat(BuildFilePolicies.ciRunsTheTestsOnJdk17And25(workflow("ci.yml"))).isEmpty();
	}

	@Test
	void infraWorkflowRunsThePolicyTests() {
		assertThat(BuildFilePolicies.infraWorkflowRunsThePolicyTests(workflow("infra.yml"))).isEmpty();
	}

	@Test
	void buildspecRunsTheTestsAndDeclaresTheJar() {
		assertThat(BuildFilePolicies.buildspecRunsTheTestsAndDeclaresTheJar(BuildFilePolicies.load(BuildFilePolicies.BUILDSPEC)))
			.isEmpty();
	}

	@Test
	void buildspecInstallsWhatTheBuildNeeds() {
		assertThat(BuildFilePolicies.buildspecInstallsWhatTheBuildNeeds(BuildFilePolicies.load(BuildFilePolicies.BUILDSPEC)))
			.isEmpty();
	}

	@Test
	void aBuildspecThatSkipsTheTestsOrTheJarIsReported() {
		Map<String, Object> buildspec = BuildFilePolicies.load(BuildFilePolicies.BUILDSPEC);
		Map<String, Object> phases = new LinkedHashMap<>(map(buildspec.get("phases")));
		Map<String, Object> build = new LinkedHashMap<>(map(phases.get("build")));
		List<Object> commands = new ArrayList<>((List<?>) build.get("commands"));
		commands.removeIf(c -> String.valueOf(c).contains("./trawl test"));
		build.put("commands", commands);
		phases.put("build", build);
		buildspec.put("phases", phases);
		buildspec.put("artifacts", Map.of("files", List.of("config/**/*", "trawl")));

		assertThat(BuildFilePolicies.buildspecRunsTheTestsAndDeclaresTheJar(buildspec)).containsExactly(
				"The build phase of buildspec.yml does not run ./trawl test",
				"buildspec.yml artifacts do not include jobs/target/trawl.jar, which the deploy stage publishes");
	}

	@Test
	void theDeployPublishesWhatTheBuildHandsOver() {
		String deploy = TerraformConfig.stack().read("modules/pipeline", DeliveryPolicies.DEPLOY_BUILDSPEC);

		assertThat(deploy).contains("jobs/target/trawl.jar \"s3://$ARTIFACT_BUCKET/releases/$RELEASE/trawl.jar\"",
				"--recursive config \"s3://$ARTIFACT_BUCKET/releases/$RELEASE/config\"");
	}

	private static Map<String, Object> workflow(String name) {
		return BuildFilePolicies.load(BuildFilePolicies.WORKFLOWS.resolve(name));
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object value) {
		return (Map<String, Object>) value;
	}
}
