from django.urls import path

from .views import common, export, knowledge, leader, moderator, operator, unit

app_name = "desk"

moderator_urls = [
    path("moderate/", moderator.screening, name="screening"),
    path("moderate/returned/", moderator.returned, name="returned"),
    path("moderate/replies/", moderator.reply_queue, name="reply_queue"),
    path("moderate/extensions/", moderator.extensions, name="extensions"),
    path("moderate/lookback/", moderator.lookback, name="lookback"),
    path("moderate/overdue/", moderator.overdue, name="overdue"),
    path("moderate/supervision/", moderator.supervision, name="supervision"),
    path("moderate/serials/", moderator.serial_search, name="serial_search"),
    path("moderate/messages/<int:message_id>/", moderator.message_detail, name="moderate_message"),
    path("moderate/messages/<int:message_id>/screen/", moderator.screen, name="screen"),
    path("moderate/messages/<int:message_id>/reject/", moderator.reject, name="reject"),
    path("moderate/messages/<int:message_id>/duplicate/", moderator.duplicate, name="duplicate"),
    path("moderate/messages/<int:message_id>/dispatch/", moderator.dispatch, name="dispatch"),
    path("moderate/messages/<int:message_id>/reopen/", moderator.reopen, name="reopen"),
    path("moderate/messages/<int:message_id>/close/", moderator.close, name="close"),
    path("moderate/messages/<int:message_id>/supervise/", moderator.supervise, name="supervise"),
    path(
        "moderate/extensions/<int:request_id>/decide/",
        moderator.decide_extension,
        name="decide_extension",
    ),
    path("moderate/replies/<int:reply_id>/", moderator.reply_detail, name="review_reply"),
    path("moderate/replies/<int:reply_id>/approve/", moderator.approve_reply, name="approve_reply"),
    path("moderate/replies/<int:reply_id>/return/", moderator.return_reply, name="return_reply"),
]

unit_urls = [
    path("unit/", unit.inbox, name="inbox"),
    path("unit/accept/", unit.bulk_accept, name="bulk_accept"),
    path("unit/signoff/", unit.signoff_queue, name="signoff_queue"),
    path("unit/archive/", unit.archive, name="archive"),
    path("unit/knowledge/", knowledge.knowledge_base, name="knowledge"),
    path("unit/templates/", unit.templates, name="templates"),
    path("unit/templates/new/", unit.create_template, name="create_template"),
    path("unit/templates/<int:template_id>/", unit.edit_template, name="edit_template"),
    path("unit/templates/<int:template_id>/text/", unit.template_text, name="template_text"),
    path("unit/templates/<int:template_id>/delete/", unit.delete_template, name="delete_template"),
    path("unit/assignments/<int:assignment_id>/", unit.assignment_detail, name="assignment"),
    path("unit/assignments/<int:assignment_id>/accept/", unit.accept, name="accept"),
    path(
        "unit/assignments/<int:assignment_id>/return/",
        unit.return_assignment,
        name="return_assignment",
    ),
    path("unit/assignments/<int:assignment_id>/transfer/", unit.transfer, name="transfer"),
    path("unit/assignments/<int:assignment_id>/invite/", unit.invite, name="invite"),
    path(
        "unit/assignments/<int:assignment_id>/extension/",
        unit.request_extension,
        name="request_extension",
    ),
    path("unit/assignments/<int:assignment_id>/reply/", unit.write_reply, name="write_reply"),
    path("unit/assignments/<int:assignment_id>/contribute/", unit.contribute, name="contribute"),
    path(
        "unit/assignments/<int:assignment_id>/attachments/",
        unit.upload_attachment,
        name="upload_attachment",
    ),
    path("unit/replies/<int:reply_id>/sign-off/", unit.sign_off, name="sign_off"),
    path(
        "unit/follow-ups/<int:follow_up_id>/answer/",
        unit.answer_follow_up,
        name="answer_follow_up",
    ),
    path(
        "moderate/follow-ups/<int:follow_up_id>/review/",
        moderator.review_follow_up,
        name="review_follow_up",
    ),
    path("unit/replies/<int:reply_id>/refuse/", unit.refuse_signoff, name="refuse_signoff"),
    path("attachments/<int:attachment_id>/", unit.download_attachment, name="attachment"),
    path(
        "attachments/<int:attachment_id>/remove/",
        unit.remove_attachment,
        name="remove_attachment",
    ),
]

leader_urls = [
    path("leader/", leader.overview, name="leader"),
    path("leader/messages/", leader.message_list, name="leader_messages"),
    path("leader/supervision/", leader.supervision, name="leader_supervision"),
    path("leader/messages/<int:message_id>/", leader.message_detail, name="leader_message"),
    path("leader/messages/<int:message_id>/instruct/", leader.instruct, name="instruct"),
    path(
        "leader/messages/<int:message_id>/supervise/",
        leader.supervise,
        name="leader_supervise",
    ),
]

export_urls = [path("export/", export.export_messages, name="export")]

operator_urls = [
    path("hotline/", operator.entered, name="operator"),
    path("hotline/new/", operator.new_message, name="operator_new"),
    path("hotline/caller/", operator.caller_history, name="operator_caller"),
    path("hotline/regions/", operator.region_options, name="operator_regions"),
    path("hotline/domain/", operator.domain_suggestion, name="operator_domain"),
    path("hotline/messages/<int:message_id>/", operator.message_detail, name="operator_message"),
]

urlpatterns = [
    path("", common.home, name="home"),
    *moderator_urls,
    *unit_urls,
    *leader_urls,
    *operator_urls,
    *export_urls,
]
