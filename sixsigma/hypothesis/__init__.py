"""The test assistant: the right hypothesis test for the data, and why.

:func:`compare` looks at the data (what kind of values, how many groups, paired or not,
normal or not, equal variances or not), picks the test an experienced analyst would pick,
runs it with pingouin, adds the post-hoc tests when there are more than two groups, and
reports the test, the reasons for choosing it, an effect size with its interval, and one
plain-language sentence (a :class:`Comparison`). The decision table (DMAIC Analyze;
Minitab's Assistant follows the same logic):

==============  ========  ======  ===================================  ======================
values          groups    paired  test                                 effect size
==============  ========  ======  ===================================  ======================
0/1, boolean    2         no      two-proportion z (Fisher if small)   risk difference
0/1, boolean    2         yes     McNemar (exact binomial)             paired risk difference
categories      any       no      chi-square of independence           Cramer's V
numbers         2         no      Welch t / Mann-Whitney               Hedges' g / rank-biserial
numbers         2         yes     paired t / Wilcoxon signed-rank      Hedges' g / rank-biserial
numbers         3+        no      ANOVA / Welch ANOVA / Kruskal-Wallis eta-squared
numbers         3+        yes     repeated-measures ANOVA / Friedman   partial eta-sq. / W
==============  ========  ======  ===================================  ======================

Beyond comparing groups: :func:`one_sample` tests one sample against a target (exact
binomial for a rate, t for numbers; ``alternative=``) and :func:`equivalence` shows two
groups equal within a stated margin (TOST: two one-sided Welch t or z tests).

Modules: :mod:`~sixsigma.hypothesis.targets` (one sample, equivalence),
:mod:`~sixsigma.hypothesis.numeric` (numbers), :mod:`~sixsigma.hypothesis.proportions`
(0/1 outcomes and categories), :mod:`~sixsigma.hypothesis.assistant` (the dispatcher); the
effect sizes and their intervals live in :mod:`sixsigma._stats.effects`.
"""

from sixsigma.hypothesis.assistant import compare
from sixsigma.hypothesis.result import Comparison, Equivalence, OneSample
from sixsigma.hypothesis.targets import equivalence, one_sample

__all__ = ["Comparison", "Equivalence", "OneSample", "compare", "equivalence", "one_sample"]
