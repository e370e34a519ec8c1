"""Language identification: per article and per sentence (see docs/langid.md)."""

from pipeline.langid.detector import Detection, DetectorSettings, LanguageDetector, detector_from_config

__all__ = ["Detection", "DetectorSettings", "LanguageDetector", "detector_from_config"]
