package io.trawl.readmodel.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DynaliteTests {

	@Test
	void findsTheRepositoryRootFromAModuleFolder() {
		Path root = Dynalite.repositoryRoot(Path.of("").toAbsolutePath());

		assertThat(root.resolve(Dynalite.CLI)).isRegularFile();
	}

	@Test
	void withoutDynaliteInstalledItSaysToRunNpmCi(@TempDir Path elsewhere) {
		assertThatThrownBy(() -> Dynalite.repositoryRoot(elsewhere)).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("dynalite was not found")
			.hasMessageContaining("Run `npm ci` in the repository root");
	}
}
