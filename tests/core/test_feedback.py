import numpy as np
import pytest

from onlinelearn.core import Feedback, FeedbackKind
from onlinelearn.core.feedback import feedback_size


@pytest.mark.parametrize(
    ("kind", "values", "loss"),
    [
        (FeedbackKind.BANDIT, [0.25], 0.25),
        (FeedbackKind.GRADIENT, [1.5, 0.1, -0.2], 1.5),
        (FeedbackKind.MULTI_QUERY, [2, 3, 0.75, 1, 0.5], 0.75),
        (FeedbackKind.BANDIT_CONVEX, [2, 0.4, 0.9], 0.4),
    ],
)
def test_loss_is_the_played_query(kind, values, loss):
    assert Feedback(kind, np.array(values, dtype=float)).loss == loss


def test_full_information_has_no_single_loss():
    with pytest.raises(AttributeError, match="FULL_INFORMATION has no single 'loss'"):
        _ = Feedback(FeedbackKind.FULL_INFORMATION, np.zeros(3)).loss


def test_buffer_sizes_follow_the_layout_table():
    assert feedback_size(FeedbackKind.FULL_INFORMATION, 4, None) == 4
    assert feedback_size(FeedbackKind.BANDIT, 4, None) == 1
    assert feedback_size(FeedbackKind.MULTI_QUERY, 4, None, n_queries=2) == 5
    assert feedback_size(FeedbackKind.GRADIENT, None, 3) == 4
    assert feedback_size(FeedbackKind.BANDIT_CONVEX, None, 3, n_queries=2) == 3
    assert feedback_size(FeedbackKind.GAME, 2, None, n_opponent_actions=3) == 7
    assert feedback_size(FeedbackKind.GAME, None, 2, n_opponent_actions=3) == 7  # mixed strategies
