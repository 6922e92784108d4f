package io.audiences.server.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The data directory holds the embedded database (password hashes, contact data), the generated JWT key and the
 * demo credentials: only the server's own user may read it. The directory is made 0700 whatever the umask (and
 * whoever created it before), and the files the server keeps there 0600. Without POSIX permissions (Windows) the
 * directory's ACLs are left as they are.
 */
public final class DataDirectory {

    private static final Set<PosixFilePermission> OWNER_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

    private DataDirectory() {
    }

    /** Creates the directory if needed and makes it owner-only. */
    public static void secure(Path dir) {
        try {
            Files.createDirectories(dir);
            if (posix()) {
                Files.setPosixFilePermissions(dir, OWNER_DIRECTORY);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create or restrict the data directory " + dir, e);
        }
    }

    /** Makes the regular files in {@code dir} whose names match {@code glob} owner-only (the embedded database's). */
    public static void ownerOnly(Path dir, String glob) {
        if (!posix() || !Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob)) {
            for (Path file : files) {
                if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    Files.setPosixFilePermissions(file, OWNER_FILE);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot restrict the files of " + dir, e);
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
