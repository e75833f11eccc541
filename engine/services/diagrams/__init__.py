"""Process diagrams: a case's diagram with its tokens, the path it took and its overdue steps;
a process version's heatmap of working days spent per step (docs/diagrams.md)."""
from engine.services.diagrams.case_diagram import CaseDiagram, ElementState, case_diagram
from engine.services.diagrams.heatmap import Heatmap, StepHeat, heatmap, to_csv

__all__ = ["CaseDiagram", "ElementState", "case_diagram", "Heatmap", "StepHeat", "heatmap", "to_csv"]
