# syntax=docker/dockerfile:1
# onnx-batch container image (README "Container image").
#   CPU (the default target):   docker build -t onnx-batch .
#   CUDA 13 (NVIDIA GPUs):      docker build --target cuda -t onnx-batch:cuda .
# The entrypoint is onnx-batch: docker run --rm -v "$PWD:/data" onnx-batch score -m /data/m.onnx -i /data/in.csv -o /data/out/
# scripts/check-dockerfile.mjs follows the build and cpu stages' steps without Docker (CI), and lints this file.

ARG NODE_IMAGE=node:20-slim
ARG CUDA_IMAGE=nvidia/cuda:13.0.1-cudnn-runtime-ubuntu24.04

# Compiles TypeScript; only dist/src leaves this stage.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
# onnxruntime-node's install step would download CUDA 12 libraries from NuGet: neither stage needs them.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund --ignore-scripts
COPY bin ./bin
COPY src ./src
RUN npx tsc -p tsconfig.build.json

# The application: production dependencies from the lock file and the built code.
FROM ${NODE_IMAGE} AS app
ENV ONNXRUNTIME_NODE_INSTALL=skip \
    NODE_ENV=production \
    PATH=/opt/onnx-batch/node_modules/.bin:$PATH
WORKDIR /opt/onnx-batch
COPY package.json package-lock.json ./
# --ignore-scripts: the package's own `prepare` would compile with TypeScript, which is not installed
# here; onnxruntime-node's install step is skipped by ONNXRUNTIME_NODE_INSTALL=skip either way.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
 && ln -s ../../bin/onnx-batch.js node_modules/.bin/onnx-batch
COPY bin ./bin
COPY schema ./schema
COPY fixtures/iris-csv ./fixtures/iris-csv
COPY --from=build /src/dist/src ./dist/src
RUN onnx-batch --version \
 && onnx-batch score -m fixtures/iris-csv/model.onnx -i fixtures/iris-csv/input.csv -o smoke.csv -q \
 && rm smoke.csv smoke.csv.report.json

# The CUDA provider libraries, fetched by `onnx-batch setup cuda` (npm pack of the package that carries
# ONNX Runtime 1.29.0's CUDA 13 build). Its doctor finds no GPU during a build: the check is the files.
FROM app AS cuda-libraries
RUN (onnx-batch setup cuda || true) \
 && test -f node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so \
 && test -f node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_shared.so

# The CUDA image: NVIDIA's CUDA 13 runtime with cuDNN 9, Node from the node image, the app with its providers.
FROM ${CUDA_IMAGE} AS cuda
ENV NODE_ENV=production \
    PATH=/opt/onnx-batch/node_modules/.bin:$PATH
COPY --from=app /usr/local/bin/node /usr/local/bin/node
COPY --from=cuda-libraries /opt/onnx-batch /opt/onnx-batch
RUN onnx-batch --version
# uid 1000 (Ubuntu's own unprivileged user), numeric so that Kubernetes' runAsNonRoot can check it.
USER 1000:1000
WORKDIR /data
ENTRYPOINT ["onnx-batch"]
CMD ["doctor", "--ep", "cuda"]

# The CPU image, last so that a plain `docker build` makes it.
FROM app AS cpu
# uid 1000 (the node image's user `node`), numeric so that Kubernetes' runAsNonRoot can check it;
# mounted output folders must be writable by it.
USER 1000:1000
WORKDIR /data
ENTRYPOINT ["onnx-batch"]
CMD ["--help"]
