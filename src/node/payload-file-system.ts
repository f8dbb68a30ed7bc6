/**
 * The file system `dataspine ingest --file` reads payloads through: Node's, except that a
 * file that is not a regular file (a pipe such as `/dev/stdin` or `<(zcat day.csv.gz)`, a
 * character device) is read front to back instead of at tracked offsets, which a pipe refuses
 * (ESPIPE).
 */
import { read } from "node:fs";
import { SystemError } from "@effect/platform/Error";
import * as FileSystem from "@effect/platform/FileSystem";
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import * as Option from "effect/Option";

const readNext = (fd: number, buffer: Uint8Array) =>
  Effect.async<number, SystemError>((resume) => {
    read(fd, buffer, 0, buffer.byteLength, null, (error, bytes) =>
      resume(
        error
          ? Effect.fail(
              new SystemError({
                reason: "Unknown",
                module: "FileSystem",
                method: "read",
                pathOrDescriptor: fd,
                description: error.message,
                cause: error,
              }),
            )
          : Effect.succeed(bytes),
      ),
    );
  });

/** `file` with `read`/`readAlloc` taking the next bytes of the stream, whatever its offset. */
const sequential = (file: FileSystem.File): FileSystem.File => {
  const fd = Number(file.fd);
  const overrides: Pick<FileSystem.File, "read" | "readAlloc"> = {
    read: (buffer) => Effect.map(readNext(fd, buffer), FileSystem.Size),
    readAlloc: (size) =>
      Effect.suspend(() => {
        const buffer = new Uint8Array(Number(size));
        return Effect.map(readNext(fd, buffer), (bytes) =>
          bytes === 0 ? Option.none() : Option.some(buffer.subarray(0, bytes)),
        );
      }),
  };
  // The other members (stat, seek, write, the fd) stay Node's own, reached through the prototype.
  return Object.assign(Object.create(file) as FileSystem.File, overrides);
};

/** Node's file system with sequential reads for anything that is not a regular file. */
export const PayloadFileSystem = Layer.effect(
  FileSystem.FileSystem,
  Effect.map(FileSystem.FileSystem, (fs) =>
    FileSystem.FileSystem.of({
      ...fs,
      open: (path, options) =>
        Effect.flatMap(fs.open(path, options), (file) =>
          Effect.map(file.stat, (info) => (info.type === "File" ? file : sequential(file))),
        ),
    }),
  ),
).pipe(Layer.provide(NodeFileSystem.layer));
