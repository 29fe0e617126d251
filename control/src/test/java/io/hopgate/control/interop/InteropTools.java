package io.hopgate.control.interop;

import io.hopgate.control.config.Config;
import io.hopgate.control.gateway.GatewayService;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/** Shared by the interop tests: finding external tools, starting a gateway, copying resources out. */
final class InteropTools {
    private InteropTools() {
    }

    /** The executable {@code name} on PATH, if any. */
    static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * A gateway on an ephemeral loopback control port, no admin server, media ports 27000-27999 (below the kernel's
     * ephemeral range, 32768-60999 here, so no test socket on port 0 lands in it).
     */
    static GatewayService startGateway() {
        GatewayService gateway = new GatewayService(Config.load(null, List.of(
            "control.listen=127.0.0.1:0", "admin.listen=", "media.port-min=27000", "media.port-max=27999")));
        gateway.start();
        return gateway;
    }

    /** Copies the classpath resource {@code /interop/name} into {@code dir}; works from a directory or a jar. */
    static Path resource(String name, Path dir) throws IOException {
        try (InputStream in = InteropTools.class.getResourceAsStream("/interop/" + name)) {
            if (in == null) {
                throw new IOException("test resource /interop/" + name + " is missing");
            }
            Path out = dir.resolve(name);
            Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
            return out;
        }
    }
}
