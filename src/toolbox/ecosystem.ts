/** A node of a tree view: a label, an optional note, children. */
export interface TreeNode {
  label: string;
  note?: string;
  children?: TreeNode[];
}

const leaf = (label: string, note?: string): TreeNode => (note ? { label, note } : { label });

/**
 * The Hugging Face ecosystem at a glance (seed 002, "HuggingFace Stack Tree"), with where each
 * piece sits on ModelScope when it has a counterpart. Static on purpose: it answers instantly
 * and offline.
 */
export const ECOSYSTEM: TreeNode = {
  label: "Hugging Face ecosystem",
  children: [
    {
      label: "hub",
      children: [
        leaf("models", "model repos: weights, configs, cards (ModelScope: models)"),
        leaf("datasets", "dataset repos, parquet-converted, viewer (ModelScope: datasets)"),
        leaf("spaces", "Gradio/Streamlit/Docker/static apps (ModelScope: studios)"),
        leaf("papers", "research papers linked to repos"),
      ],
    },
    {
      label: "libraries",
      children: [
        leaf("transformers", "model architectures, pipelines"),
        leaf("diffusers", "diffusion models"),
        leaf("accelerate", "distributed training and inference"),
        leaf("peft", "parameter-efficient fine-tuning (LoRA)"),
        leaf("trl", "reinforcement learning from feedback"),
        leaf("optimum", "hardware optimisation, ONNX export"),
        leaf("datasets", "dataset loading and processing"),
        leaf("tokenizers", "fast tokenisation"),
        leaf("safetensors", "safe tensor serialisation"),
        leaf("huggingface_hub", "Hub API client (ModelScope: modelscope / modelscope-hub)"),
      ],
    },
    {
      label: "inference",
      children: [
        leaf("inference-providers", "serverless inference"),
        leaf("inference-endpoints", "dedicated endpoints"),
        leaf("text-generation-inference", "TGI server"),
      ],
    },
    {
      label: "training",
      children: [
        leaf("autotrain", "AutoML training"),
        leaf("trainer", "training loops (transformers.Trainer)"),
        leaf("evaluate", "metrics and evaluation"),
      ],
    },
    {
      label: "deployment",
      children: [
        leaf("spaces", "app hosting"),
        leaf("endpoints", "production serving"),
        leaf("enterprise-hub", "private deployments"),
      ],
    },
    {
      label: "formats",
      children: [
        leaf("safetensors", "safe: no code runs on load"),
        leaf("gguf", "safe: quantised weights for llama.cpp (Q4_K_M, Q8_0, ...)"),
        leaf("onnx", "cross-platform graphs"),
        leaf("pytorch (.bin/.pt)", "pickle: can run code on load, refused by default"),
      ],
    },
    {
      label: "tasks",
      children: [
        ...[
          "text-generation",
          "text-classification",
          "token-classification",
          "question-answering",
          "translation",
          "summarization",
          "image-classification",
          "object-detection",
          "image-segmentation",
          "text-to-image",
          "image-to-text",
          "automatic-speech-recognition",
          "text-to-speech",
          "feature-extraction",
        ].map((t) => leaf(t)),
        leaf("...", "40+ more"),
      ],
    },
    {
      label: "community",
      children: [leaf("discussions"), leaf("model-cards"), leaf("dataset-cards")],
    },
  ],
};
