# chain as one executable in a small image: `docker build -t chain .`, then `docker run chain --role service-1`.
# The build stage compiles with `deno task compile` (the same permissions the tests run with); the runtime stage
# holds only the binary and CA certificates, and runs as a non-root user.

FROM denoland/deno:2.9.6 AS build
WORKDIR /app
COPY deno.json deno.lock ./
COPY main.ts routes.json ./
COPY src/ src/
COPY scripts/compile.ts scripts/role_process.ts scripts/
RUN deno install --entrypoint main.ts
ARG CHAIN_COMMIT=unknown
RUN CHAIN_COMMIT="$CHAIN_COMMIT" deno task compile

# distroless/cc: glibc and libgcc (which the compiled Deno runtime links), CA certificates, no shell.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /app/chain /usr/local/bin/chain
USER nonroot:nonroot
ENTRYPOINT ["chain"]
CMD ["--help"]
